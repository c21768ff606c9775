const serialize = require('node-serialize');
const yaml = require('js-yaml');

function bad(data) {
  // ruleid: js-deserialization
  serialize.unserialize(data);
  // ruleid: js-deserialization
  yaml.load(data, { schema: yaml.DEFAULT_FULL_SCHEMA });
}

function good(data) {
  // ok: js-deserialization
  JSON.parse(data);
  // ok: js-deserialization
  yaml.load(data);
  // ok: js-deserialization
  serialize.serialize(data);
}
