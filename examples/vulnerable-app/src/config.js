'use strict';
// SEEDED SECRET (issue 4): a hardcoded credential the secrets gate must catch.
// FAKE TEST VALUE: it is not a real AWS key and grants nothing. It has the shape of an
// AWS secret access key so that secretlint's recommended preset (rule aws) reports it.
const aws_secret_access_key = "FAKE0TEST0VALUE0notARealAwsSecretKey0000";

module.exports = {
  region: 'eu-west-1',
  credentials: { secretAccessKey: aws_secret_access_key },
};
