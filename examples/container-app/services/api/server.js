// A tiny HTTP service: answers /health and /hello. No dependencies (nothing to install in the image).
const http = require('http');

const port = Number(process.env.PORT || 8080);
http.createServer((req, res) => {
  if (req.url === '/health') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
    return;
  }
  res.writeHead(req.url === '/hello' ? 200 : 404, { 'content-type': 'application/json' });
  res.end(JSON.stringify(req.url === '/hello' ? { hello: 'world' } : { error: 'not found' }) + '\n');
}).listen(port);
