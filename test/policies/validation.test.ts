import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { BuiltInPolicies, Policy, PolicySet, Severity } from '../../src';
import { pipelineApp } from '../pipeline/support';

const REGO = 'package org.x\nimport rego.v1\nviolation contains v if {\n\tsome name, res in input.resources\n\tv := make_diag_at("MY_POLICY", "ERROR", name, "Properties", "m")\n}\n';

describe('validation', () => {
  test('a policy with every prop wrong lists every problem at once, each with its fix', () => {
    expect(() => new Policy({ id: 'my-policy', message: '', fix: ' ', severity: 'SEVERE' as Severity })).toThrow(
      /Policy: invalid props \(5\):[\s\S]*id "my-policy" is not a policy id: use upper case[\s\S]*message is empty[\s\S]*fix is empty[\s\S]*severity "SEVERE" is not a Severity[\s\S]*neither rego nor guard is given/);
  });

  test('Rego must be a module that reports with the policy id; Guard must define a rule', () => {
    expect(() => new Policy({ id: 'MY_POLICY', message: 'm', fix: 'f', rego: 'violation contains v if { true }' })).toThrow(/rego is not a Rego module/);
    expect(() => new Policy({ id: 'OTHER', message: 'm', fix: 'f', rego: REGO })).toThrow(/rego never reports with the policy id "OTHER"/);
    expect(() => new Policy({ id: 'MY_POLICY', message: 'm', fix: 'f', guard: 'Resources.* exists' })).toThrow(/guard defines no rule/);
    expect(new Policy({ id: 'MY_POLICY', message: 'm', fix: 'f', rego: REGO }).acknowledgmentId).toBe('devsecops-policies::MY_POLICY');
  });

  test('a policy file that does not exist names the path', () => {
    expect(() => Policy.fromRegoFile('policies/missing.rego', { id: 'X_Y', message: 'm', fix: 'f' })).toThrow(/Policy.fromRegoFile: "policies\/missing.rego" is not a file/);
    expect(() => Policy.fromGuardFile('', { id: 'X_Y', message: 'm', fix: 'f' })).toThrow(/Policy.fromGuardFile: "" is not a file/);
  });

  test('disabling by an unknown id lists the built-in ids; a reason is required', () => {
    expect(() => PolicySet.builtIn().disable('S3_ENCRYPTION', 'x')).toThrow(/"S3_ENCRYPTION" is not a built-in policy id: use one of EC2_INSTANCE_IN_VPC, S3_BUCKET_ENCRYPTED, LAMBDA_TIMEOUT_MAXIMUM/);
    expect(() => PolicySet.builtIn().disable('S3_BUCKET_ENCRYPTED', '')).toThrow(/the reason for disabling S3_BUCKET_ENCRYPTED is empty/);
  });

  test('two policies with one id are refused', () => {
    expect(() => PolicySet.builtIn().add(BuiltInPolicies.s3BucketEncrypted(true))).toThrow(/a policy with id S3_BUCKET_ENCRYPTED is already in the set/);
  });

  test('the Lambda maximum must be whole seconds from 2 to 900', () => {
    expect(() => PolicySet.builtIn({ lambdaMaxTimeout: Duration.minutes(20) })).toThrow(/lambdaMaxTimeout 20 minutes is not a whole number of seconds from 2 to 900/);
    expect(() => PolicySet.builtIn({ lambdaMaxTimeout: Duration.millis(1500) })).toThrow(/lambdaMaxTimeout/);
    expect(PolicySet.builtIn({ lambdaMaxTimeout: Duration.minutes(5) }).ids).toEqual(['EC2_INSTANCE_IN_VPC', 'S3_BUCKET_ENCRYPTED', 'LAMBDA_TIMEOUT_MAXIMUM']);
  });
});

test('disabling a built-in policy leaves a warning naming it and the reason, and drops it from the gate', () => {
  const { stack } = pipelineApp({ policies: PolicySet.builtIn().disable('EC2_INSTANCE_IN_VPC', 'no EC2 in this account') });
  Annotations.fromStack(stack).hasWarning('/PipelineStack/Pipeline', Match.stringLikeRegexp('the built-in policy EC2_INSTANCE_IN_VPC is disabled \\(no EC2 in this account\\).*secure default weakened'));
  const specs = Object.values<any>(Template.fromStack(stack).findResources('AWS::CodeBuild::Project')).map((p) => JSON.stringify(p.Properties.Source.BuildSpec));
  const gate = specs.find((s) => s.includes('cli.js policies'))!;
  expect(gate).toMatch(/--policy S3_BUCKET_ENCRYPTED=/);
  expect(gate).not.toMatch(/--policy EC2_INSTANCE_IN_VPC=/);
});
