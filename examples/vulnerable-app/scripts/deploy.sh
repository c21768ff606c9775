#!/bin/sh
# SEEDED SECRET (issue 15): a FAKE AWS access key pair written into a deploy script. Not a real key:
# it grants nothing. gitleaks (the secrets gate's default engine) reports aws-access-token; secretlint's
# recommended preset does not.
export AWS_ACCESS_KEY_ID=AKIAQ3FAKE7SEED2TEST
export AWS_SECRET_ACCESS_KEY=wJalrFAKEtestSEEDnotREAL0k3yQ9x7ZpLm2VbN4
aws s3 sync ./site "s3://$1"
