'use strict';
// SEEDED SAST FINDING (issue 4): a JavaScript command injection the SAST gate must catch
// (eslint-plugin-security detect-child-process). TEST SEED: never copy this pattern.
// The host name comes from the caller and reaches a shell unquoted.
const { exec } = require('child_process');

function pingHost(host, done) {
  exec(`ping -c 1 ${host}`, done);
}

module.exports = { pingHost };
