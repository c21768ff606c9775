'use strict';
const _ = require('lodash');
const config = require('./config');

// Merges the user's settings over the defaults and prints the effective settings.
function effectiveSettings(userSettings) {
  return _.merge({}, { region: config.region, retries: 3 }, userSettings);
}

if (require.main === module) {
  console.log(JSON.stringify(effectiveSettings(JSON.parse(process.argv[2] || '{}'))));
}

module.exports = { effectiveSettings };
