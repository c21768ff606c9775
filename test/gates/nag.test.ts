import { Duration } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AppStage } from '../../examples/quickstart/app-stage';
import { DevSecOpsPipelineProps, DockerfileScan, IacScan, PipelineSource, Sast, SastEngine, Sbom, SecretScan } from '../../src';
import { CONNECTION_ARN, errorsOf, pipelineApp, synthViolations } from '../pipeline/support';

function withStage(props: Partial<DevSecOpsPipelineProps>) {
  const { app, pipeline } = pipelineApp(props);
  pipeline.addStage(new AppStage(app, 'Staging'));
  pipeline.addStage(new AppStage(app, 'Prod'), { approval: true, confirmPermissionsBroadening: true });
  return { app, pipeline };
}

describe('the five nag packs on a pipeline with every gate', () => {
  test('default gates: zero unacknowledged errors, and the gates\' own acknowledgments are exactly these', () => {
    const { app, pipeline } = withStage({});
    expect(errorsOf(synthViolations(app))).toEqual([]);
    const own = pipeline.acknowledgments.filter((a) => a.constructPath.includes('/Gates/') || a.ruleId.includes('/sbom/'));
    expect(own.map((a) => `${a.ruleId} @ ${a.constructPath.replace(/^PipelineStack\/Pipeline\//, '')}`).sort()).toEqual([
      // The SBOM gate, judged in the SCA build, files its results under its own gate directory (test/pipeline/release.test.ts).
      'AwsSolutions-IAM5[Resource::<PipelineGatesReleaseReportsBucketD2EAA6E3.Arn>/releases/*/sbom/*] @ CdkPipeline/Pipeline/SecurityGates/DependencyScan/DependencyScan/Role/DefaultPolicy/Resource',
      'AwsSolutions-IAM5[Resource::<PipelineGatesSbomBucket56FEBDDC.Arn>/sbom/*] @ CdkPipeline/Pipeline/SecurityGates/DependencyScan/DependencyScan/Role/DefaultPolicy/Resource',
      'HIPAA.Security-S3BucketReplicationEnabled @ Gates/CacheBucket/Resource',
      'HIPAA.Security-S3BucketReplicationEnabled @ Gates/ReleaseReportsBucket/Resource',
      'HIPAA.Security-S3BucketReplicationEnabled @ Gates/SbomBucket/Resource',
      'NIST.800.53.R5-S3BucketReplicationEnabled @ Gates/CacheBucket/Resource',
      'NIST.800.53.R5-S3BucketReplicationEnabled @ Gates/ReleaseReportsBucket/Resource',
      'NIST.800.53.R5-S3BucketReplicationEnabled @ Gates/SbomBucket/Resource',
      'PCI.DSS.321-S3BucketReplicationEnabled @ Gates/CacheBucket/Resource',
      'PCI.DSS.321-S3BucketReplicationEnabled @ Gates/ReleaseReportsBucket/Resource',
      'PCI.DSS.321-S3BucketReplicationEnabled @ Gates/SbomBucket/Resource',
    ]);
    for (const a of pipeline.acknowledgments) expect(a.reason.length).toBeGreaterThan(40);
    // No blanket acknowledgment of a rule.
    expect(pipeline.acknowledgments.filter((a) => /AwsSolutions-(IAM5|CB4|S1)$/.test(a.ruleId))).toEqual([]);
  });

  test('every engine, history scans and an object-locked SBOM bucket: zero unacknowledged errors', () => {
    const { app } = withStage({
      source: PipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN, fullClone: true }),
      gates: {
        secrets: SecretScan.trufflehog(),
        sast: Sast.engines([SastEngine.semgrep(), SastEngine.bandit(), SastEngine.spotbugs()]),
        sbom: Sbom.cyclonedxNpm({ objectLockRetention: s3.ObjectLockRetention.compliance(Duration.days(30)) }),
        iac: IacScan.cfnGuard({ rules: ['policies/guard'] }),
        dockerfile: DockerfileScan.baseImagePolicy({ dockerfiles: ['services/api/Dockerfile'], hadolint: true }),
      },
    });
    expect(errorsOf(synthViolations(app))).toEqual([]);
  });

  test('the packs can fail here: without access logs the SBOM bucket is reported too', () => {
    const { app } = withStage({ serverAccessLogs: false });
    const errors = errorsOf(synthViolations(app)).filter((e) => e.path.includes('/Gates/SbomBucket/'));
    expect(errors.map((e) => e.rule)).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'NIST.800.53.R5-S3BucketLoggingEnabled']));
  });
});
