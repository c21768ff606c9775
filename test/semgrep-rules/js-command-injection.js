const cp = require('child_process');
const { exec, execFile } = require('child_process');

function bad(host, cmd) {
  // ruleid: js-command-injection
  exec(`ping -c 1 ${host}`);
  // ruleid: js-command-injection
  cp.execSync('rm -rf ' + cmd);
  // ruleid: js-command-injection
  require('child_process').exec(cmd);
}

function good(host) {
  // ok: js-command-injection
  execFile('ping', ['-c', '1', host]);
  // ok: js-command-injection
  exec('ls -l');
  // ok: js-command-injection
  cp.execSync('true');
}
