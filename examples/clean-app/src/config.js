'use strict';
// The credential comes from the environment (in AWS: the role's temporary credentials),
// never from the source.
module.exports = {
  region: process.env.AWS_REGION || 'eu-west-1',
};
