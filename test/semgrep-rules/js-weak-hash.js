const crypto = require('crypto');
const { createHash } = require('crypto');

function bad(data) {
  // ruleid: js-weak-hash
  crypto.createHash('md5').update(data).digest('hex');
  // ruleid: js-weak-hash
  createHash('sha1').update(data);
  // ruleid: js-weak-hash
  crypto.createHmac('md5', 'key');
}

function good(data) {
  // ok: js-weak-hash
  crypto.createHash('sha256').update(data).digest('hex');
  // ok: js-weak-hash
  createHash('sha512');
}
