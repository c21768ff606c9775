import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { CONNECTION_ARN, connectionSource } from './support';
import { DevSecOpsPipeline, DevSecOpsPipelineProps, PipelineSource } from '../../src';

function build(props: Partial<DevSecOpsPipelineProps>): void {
  const stack = new Stack(new App(), 'S');
  new DevSecOpsPipeline(stack, 'Pipeline', { source: connectionSource(), ...props });
}

describe('PipelineSource.connection validation', () => {
  test.each([
    ['', 'repoString is empty'],
    ['my-app', "repoString 'my-app' is not in 'owner/name' form"],
    ['https://github.com/my-org/my-app', "repoString 'https://github.com/my-org/my-app' is not in 'owner/name' form"],
  ])('repo %j is rejected', (repo, message) => {
    expect(() => PipelineSource.connection(repo, 'main', { connectionArn: CONNECTION_ARN })).toThrow(message);
  });

  test('a connection ARN that is not an ARN names the prop, the value and the expected form', () => {
    expect(() => PipelineSource.connection('my-org/my-app', 'main', { connectionArn: 'my-connection' }))
      .toThrow(/connectionArn 'my-connection' is not a CodeConnections connection ARN: expected 'arn:aws:codeconnections:<region>:<account>:connection\/<id>'/);
  });

  test('every problem is reported at once', () => {
    expect(() => PipelineSource.connection('bad', '', { connectionArn: 'nope' })).toThrow(/invalid props \(3\)[\s\S]*repoString[\s\S]*branch is empty[\s\S]*connectionArn/);
  });

  test('legacy codestar-connections ARNs, GitLab subgroups and token ARNs are accepted', () => {
    expect(() => PipelineSource.connection('group/sub/app', 'main', {
      connectionArn: 'arn:aws:codestar-connections:us-east-1:123456789012:connection/abc-123',
    })).not.toThrow();
    // A token is not validated (CDK Pipelines itself needs the repository as a plain string).
    expect(() => PipelineSource.connection('my-org/my-app', 'main', { connectionArn: Token.asString({ Ref: 'ConnectionArn' }) })).not.toThrow();
  });

  test('fullClone asks CodeConnections for a git clone, and the source says so', () => {
    const source = PipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN, fullClone: true });
    expect(source.fullClone).toBe(true);
    expect(source.description).toMatch(/full clone/);
  });
});

describe('other sources', () => {
  test('s3 needs an object key; codeCommit a branch', () => {
    const stack = new Stack(new App(), 'S');
    const bucket = new s3.Bucket(stack, 'B');
    expect(() => PipelineSource.s3(bucket, '')).toThrow(/objectKey is empty/);
    const repo = codecommit.Repository.fromRepositoryName(stack, 'R', 'app');
    expect(() => PipelineSource.codeCommit(repo, 'refs/heads/main')).toThrow(/branch 'refs\/heads\/main' is not a plain branch name/);
    expect(PipelineSource.codeCommit(repo, 'main').description).toBe('codecommit://app@main');
  });

  test('any file set producer can be a source', () => {
    const input = pipelines.CodePipelineSource.gitHub('o/r', 'main');
    const source = PipelineSource.fromFileSet(input, { fullClone: true, description: 'GitHub (OAuth)' });
    expect(source.fileSetProducer).toBe(input);
    expect(source.fullClone).toBe(true);
  });
});

describe('DevSecOpsPipeline props validation', () => {
  test('synth and synthCommands together conflict', () => {
    const step = new pipelines.ShellStep('Synth', { commands: ['x'], input: connectionSource().fileSetProducer });
    expect(() => build({ synth: step, synthCommands: ['npm ci'] })).toThrow(/synth and synthCommands are both given/);
  });

  test('a retention CloudWatch does not accept is rejected with the fix', () => {
    expect(() => build({ logRetention: 42 as logs.RetentionDays }))
      .toThrow(/logRetention 42 is not a retention CloudWatch Logs accepts: use a logs.RetentionDays value/);
  });

  test('timeouts outside CodeBuild limits, fractional expirations, empty commands and bad names are rejected together', () => {
    expect(() => build({
      buildTimeout: Duration.minutes(2),
      artifactExpiration: Duration.hours(12),
      synthCommands: [],
      pipelineName: 'my pipeline',
    })).toThrow(/invalid props \(4\)[\s\S]*synthCommands is empty[\s\S]*buildTimeout 2 minutes[\s\S]*artifactExpiration 12 hours[\s\S]*pipelineName 'my pipeline'/);
  });

  test('valid props build', () => {
    expect(() => build({ logRetention: logs.RetentionDays.INFINITE, buildTimeout: Duration.hours(8), pipelineName: 'my-app.pipeline' })).not.toThrow();
  });
});
