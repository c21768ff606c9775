import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, CloudFormationValidatePlugin, Duration, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cr from 'aws-cdk-lib/custom-resources';
import { PolicyValidationPlugin, preparePolicyScope } from '../../src/policies/plugin';
import { BuiltInPolicies, Policy, PolicySet } from '../../src/policies/policy';

/** A Stage with one stack, checked by `policies`; `build` adds the resources. */
type Ack = (stage: Stage, stack: Stack) => void;

function stageWith(build: (stack: Stack) => void, policies: PolicySet = PolicySet.builtIn(), ack?: Ack): { app: App; stage: Stage; stack: Stack } {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'policies-')) });
  const stage = new Stage(app, 'Prod');
  const stack = new Stack(stage, 'Web', { env: { account: '123456789012', region: 'eu-west-1' } });
  build(stack);
  ack?.(stage, stack);
  preparePolicyScope(stage);
  PolicyValidationPlugin.of(app).addCheck(policies, () => [stack.node.path]);
  return { app, stage, stack };
}

/** The synth error text, or undefined when synth passes. */
function synthError(app: App): string | undefined {
  try {
    app.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const fn = (stack: Stack, id: string, timeout?: Duration) => new lambda.Function(stack, id, {
  runtime: lambda.Runtime.NODEJS_20_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => {}'),
  timeout,
});

describe('S3_BUCKET_ENCRYPTED', () => {
  test('a bucket without encryption settings fails synth, naming the policy, path, logical id, property and fix', () => {
    const { app } = stageWith((s) => new s3.CfnBucket(s, 'Plain', {}));
    const err = synthError(app);
    expect(err).toBeDefined();
    const report = fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8');
    expect(report).toContain('[S3_BUCKET_ENCRYPTED] Prod/Web/Plain (logical id Plain), property BucketEncryption');
    expect(report).toContain('Fix: set encryption on the bucket');
  });

  test('an encrypted bucket passes', () => {
    const { app } = stageWith((s) => new s3.Bucket(s, 'Enc', { encryption: s3.BucketEncryption.S3_MANAGED }));
    expect(synthError(app)).toBeUndefined();
  });

  test('a property override is seen (the template is checked, not the construct tree)', () => {
    const { app } = stageWith((s) => {
      const b = new s3.Bucket(s, 'Enc', { encryption: s3.BucketEncryption.S3_MANAGED });
      (b.node.defaultChild as s3.CfnBucket).addPropertyDeletionOverride('BucketEncryption');
    });
    expect(synthError(app)).toMatch(/S3_BUCKET_ENCRYPTED/);
  });

  test('kmsOnly refuses SSE-S3 and accepts SSE-KMS', () => {
    const sse = stageWith((s) => new s3.Bucket(s, 'Enc', { encryption: s3.BucketEncryption.S3_MANAGED }), PolicySet.builtIn({ s3KmsOnly: true }));
    expect(synthError(sse.app)).toMatch(/S3_BUCKET_ENCRYPTED/);
    const kms = stageWith((s) => new s3.Bucket(s, 'Enc', { encryption: s3.BucketEncryption.KMS_MANAGED }), PolicySet.builtIn({ s3KmsOnly: true }));
    expect(synthError(kms.app)).toBeUndefined();
  });

  test('kmsOnly treats an algorithm it cannot read (a parameter) as a violation', () => {
    const { app } = stageWith((s) => {
      const algo = new CfnParameter(s, 'Algo', { type: 'String' });
      new s3.CfnBucket(s, 'B', { bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: algo.valueAsString } }] } });
    }, PolicySet.builtIn({ s3KmsOnly: true }));
    expect(synthError(app)).toMatch(/S3_BUCKET_ENCRYPTED/);
  });
});

describe('LAMBDA_TIMEOUT_MAXIMUM', () => {
  test('900 s fails (the maximum is exclusive); 899 s and no timeout pass', () => {
    expect(synthError(stageWith((s) => fn(s, 'Slow', Duration.seconds(900))).app)).toMatch(/LAMBDA_TIMEOUT_MAXIMUM/);
    expect(synthError(stageWith((s) => fn(s, 'Ok', Duration.seconds(899))).app)).toBeUndefined();
    expect(synthError(stageWith((s) => fn(s, 'Default')).app)).toBeUndefined();
  });

  test('a configurable maximum', () => {
    const policies = PolicySet.builtIn({ lambdaMaxTimeout: Duration.minutes(5) });
    expect(synthError(stageWith((s) => fn(s, 'Fn', Duration.seconds(300)), policies).app)).toMatch(/LAMBDA_TIMEOUT_MAXIMUM/);
    expect(synthError(stageWith((s) => fn(s, 'Fn', Duration.seconds(299)), PolicySet.builtIn({ lambdaMaxTimeout: Duration.minutes(5) })).app)).toBeUndefined();
  });

  test('a property override is seen', () => {
    const { app } = stageWith((s) => (fn(s, 'Fn', Duration.seconds(10)).node.defaultChild as lambda.CfnFunction).addPropertyOverride('Timeout', 900));
    expect(synthError(app)).toMatch(/LAMBDA_TIMEOUT_MAXIMUM/);
  });

  test('a timeout that cannot be read at synth (a parameter) is a violation', () => {
    const { app } = stageWith((s) => {
      const t = new CfnParameter(s, 'Timeout', { type: 'Number' });
      (fn(s, 'Fn').node.defaultChild as lambda.CfnFunction).timeout = t.valueAsNumber;
    });
    expect(synthError(app)).toMatch(/can't be read at synth/);
  });

  test("CDK's own provider functions (900 s) pass, acknowledged by construct type with a reason", () => {
    const { app, stack } = stageWith((s) => {
      new cr.Provider(s, 'Provider', { onEventHandler: fn(s, 'OnEvent', Duration.seconds(60)) });
    });
    expect(synthError(app)).toBeUndefined();
    const template = JSON.parse(fs.readFileSync(path.join(app.outdir, 'assembly-Prod', `${stack.artifactId}.template.json`), 'utf8'));
    // The provider's framework function really is at 900 s: the policy would refuse it unacknowledged.
    const timeouts = Object.values(template.Resources as Record<string, any>).filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties.Timeout);
    expect(timeouts).toContain(900);
  });
});

describe('EC2_INSTANCE_IN_VPC', () => {
  test('an instance without a subnet fails; one in a VPC passes; network interfaces with a subnet pass', () => {
    expect(synthError(stageWith((s) => new ec2.CfnInstance(s, 'Classic', { imageId: 'ami-12345678', instanceType: 't3.micro' })).app)).toMatch(/EC2_INSTANCE_IN_VPC/);
    expect(synthError(stageWith((s) => new ec2.CfnInstance(s, 'InVpc', { imageId: 'ami-12345678', instanceType: 't3.micro', subnetId: 'subnet-12345678' })).app)).toBeUndefined();
    expect(synthError(stageWith((s) => new ec2.CfnInstance(s, 'Nic', {
      imageId: 'ami-12345678', instanceType: 't3.micro', networkInterfaces: [{ deviceIndex: '0', subnetId: 'subnet-12345678' }],
    })).app)).toBeUndefined();
    expect(synthError(stageWith((s) => new ec2.CfnInstance(s, 'NicNoSubnet', {
      imageId: 'ami-12345678', instanceType: 't3.micro', networkInterfaces: [{ deviceIndex: '0' }],
    })).app)).toMatch(/EC2_INSTANCE_IN_VPC/);
  });

  test('a property override is seen', () => {
    const { app } = stageWith((s) => new ec2.CfnInstance(s, 'I', { imageId: 'ami-12345678', instanceType: 't3.micro', subnetId: 'subnet-1' }).addPropertyDeletionOverride('SubnetId'));
    expect(synthError(app)).toMatch(/EC2_INSTANCE_IN_VPC/);
  });
});

describe('acknowledgments', () => {
  test('on the construct or a scope above it (the Stage) accept the violation; another policy id does not', () => {
    const onResource = stageWith((s) => new s3.CfnBucket(s, 'Plain', {}), undefined, (_st, s) => {
      Validations.of(s.node.findChild('Plain')).acknowledge({ id: 'devsecops-policies::S3_BUCKET_ENCRYPTED', reason: 'public website assets, encrypted at the edge' });
    });
    expect(synthError(onResource.app)).toBeUndefined();
    const onStage = stageWith((s) => new s3.CfnBucket(s, 'Plain', {}), undefined, (st) => {
      Validations.of(st).acknowledge({ id: BuiltInPolicies.s3BucketEncrypted().acknowledgmentId, reason: 'test stage' });
    });
    expect(synthError(onStage.app)).toBeUndefined();
    const other = stageWith((s) => new s3.CfnBucket(s, 'Plain', {}), undefined, (st) => {
      Validations.of(st).acknowledge({ id: 'devsecops-policies::LAMBDA_TIMEOUT_MAXIMUM', reason: 'not this one' });
    });
    expect(synthError(other.app)).toMatch(/S3_BUCKET_ENCRYPTED/);
  });
});

describe('users\' policies', () => {
  const rdsStack = (s: Stack) => new s3.CfnBucket(s, 'Logs', { bucketName: 'logs', bucketEncryption: { serverSideEncryptionConfiguration: [{ serverSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }] } });

  test('a Rego file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rego-'));
    const file = path.join(dir, 'named.rego');
    fs.writeFileSync(file, `package org.no_named_buckets

import rego.v1

violation contains v if {
	some name, res in input.resources
	res.resourceType == "AWS::S3::Bucket"
	res.properties.BucketName
	v := make_diag_at("NO_NAMED_BUCKETS", "ERROR", name, "Properties.BucketName", "the bucket has a fixed name")
}
`);
    const policy = Policy.fromRegoFile(file, { id: 'NO_NAMED_BUCKETS', message: 'buckets must not have fixed names', fix: 'remove bucketName' });
    const { app } = stageWith(rdsStack, PolicySet.builtIn().add(policy));
    expect(synthError(app)).toMatch(/\[NO_NAMED_BUCKETS\] Prod\/Web\/Logs \(logical id Logs\), property BucketName: buckets must not have fixed names/);
  });

  test('a Guard file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'guard-'));
    const file = path.join(dir, 'versioned.guard');
    fs.writeFileSync(file, `let buckets = Resources.*[ Type == 'AWS::S3::Bucket' ]
rule BUCKETS_VERSIONED when %buckets !empty {
  %buckets.Properties.VersioningConfiguration exists
  %buckets.Properties.VersioningConfiguration.Status == 'Enabled'
}
`);
    const policy = Policy.fromGuardFile(file, { id: 'BUCKETS_VERSIONED', message: 'buckets must be versioned', fix: 'set versioned: true' });
    expect(synthError(stageWith(rdsStack, PolicySet.builtIn().add(policy)).app)).toMatch(/\[BUCKETS_VERSIONED\] Prod\/Web\/Logs \(logical id Logs\)/);
    const versioned = (s: Stack) => new s3.Bucket(s, 'V', { versioned: true, encryption: s3.BucketEncryption.S3_MANAGED });
    expect(synthError(stageWith(versioned, PolicySet.builtIn().add(Policy.fromGuardFile(file, { id: 'BUCKETS_VERSIONED', message: 'm', fix: 'f' }))).app)).toBeUndefined();
  });
});

describe('disable', () => {
  test('a built-in turned off by id no longer blocks', () => {
    const { app } = stageWith((s) => new s3.CfnBucket(s, 'Plain', {}), PolicySet.builtIn().disable('S3_BUCKET_ENCRYPTED', 'buckets encrypted by default since 2023'));
    expect(synthError(app)).toBeUndefined();
  });
});

test("lives beside a user's own CloudFormationValidatePlugin: both run, and ours still fails synth", () => {
  const { app } = stageWith((s) => new s3.CfnBucket(s, 'Plain', { bucketName: 'fixed-name' }));
  Validations.of(app).addPlugins(new CloudFormationValidatePlugin({
    includeDefaultRules: false,
    regoRules: [{
      name: 'named.rego',
      content: 'package user.named\nimport rego.v1\nviolation contains v if {\n\tsome name, res in input.resources\n\tres.properties.BucketName\n\tv := make_diag_at("USER-NAMED", "ERROR", name, "Properties.BucketName", "named")\n}\n',
    }],
  }));
  expect(synthError(app)).toMatch(/S3_BUCKET_ENCRYPTED/);
  const report = JSON.parse(fs.readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8'));
  const byPlugin = Object.fromEntries((report.pluginReports as any[]).map((p) => [p.pluginName, p.violations.map((v: any) => v.ruleName)]));
  expect(byPlugin['devsecops-policies']).toEqual(['S3_BUCKET_ENCRYPTED']);
  expect(byPlugin['CloudFormation Validate']).toContain('USER-NAMED');
});
