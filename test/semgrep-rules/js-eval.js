const vm = require('vm');

function bad(expr, body) {
  // ruleid: js-eval
  eval(expr);
  // ruleid: js-eval
  const f = new Function('a', body);
  // ruleid: js-eval
  setTimeout('run(' + expr + ')', 10);
  // ruleid: js-eval
  vm.runInNewContext(expr);
  return f;
}

function good(text, run) {
  // ok: js-eval
  eval('1 + 1');
  // ok: js-eval
  setTimeout(() => run(text), 10);
  // ok: js-eval
  setTimeout(run, 10);
  // ok: js-eval
  return JSON.parse(text);
}
