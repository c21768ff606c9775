import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { COMMIT, commandsOfProject, imagePipeline, PROD_ACCOUNT } from './support';
import { AppStage } from '../../examples/quickstart/app-stage';
import { ImageScan } from '../../src';
import { flatten, stagesOf } from '../gates/support';
import { errorsOf, pipelineApp, synthViolations } from '../pipeline/support';

describe('a pipeline with one container image', () => {
  const { stack, pipeline, image } = imagePipeline();
  const template = Template.fromStack(stack);

  test('the repository: immutable tags, the pipeline key, scan on push, lifecycle rules, retained', () => {
    const repos = template.findResources('AWS::ECR::Repository');
    expect(Object.keys(repos)).toHaveLength(1);
    const [repo] = Object.values<any>(repos);
    expect(repo.DeletionPolicy).toBe('Retain');
    expect(repo.UpdateReplacePolicy).toBe('Retain');
    expect(repo.Properties.ImageTagMutability).toBe('IMMUTABLE');
    expect(repo.Properties.ImageScanningConfiguration).toEqual({ ScanOnPush: true });
    expect(repo.Properties.EncryptionConfiguration).toEqual({
      EncryptionType: 'KMS',
      KmsKey: { 'Fn::GetAtt': [stack.getLogicalId(pipeline.key.node.defaultChild as any), 'Arn'] },
    });
    expect(repo.Properties.RepositoryName).toBe('pipelinestack/api');
    const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules;
    expect(rules.map((r: any) => [r.selection.tagStatus, r.selection.countType, r.selection.countNumber])).toEqual([
      ['untagged', 'sinceImagePushed', 1],
      ['any', 'imageCountMoreThan', 100],
    ]);
  });

  test('the repository policy: the other Stage account pulls, and every principal but the build is denied pushes', () => {
    const [repo] = Object.values<any>(template.findResources('AWS::ECR::Repository'));
    const statements = repo.Properties.RepositoryPolicyText.Statement;
    const pull = statements.find((s: any) => s.Sid === 'StageAccountsPull');
    expect(pull.Effect).toBe('Allow');
    expect(pull.Action).toEqual(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability']);
    expect(JSON.stringify(pull.Principal)).toContain(`:iam::${PROD_ACCOUNT}:root`);
    // The pipeline's own account pulls through IAM; no other account is named.
    expect(JSON.stringify(pull.Principal)).not.toContain('111111111111');
    const deny = statements.find((s: any) => s.Sid === 'OnlyThePipelineBuildPushes');
    expect(deny.Effect).toBe('Deny');
    expect(deny.Principal).toEqual({ AWS: '*' });
    expect(deny.Action).toEqual(expect.arrayContaining(['ecr:PutImage', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload']));
    const buildRole = stack.getLogicalId(image.buildStep.project.role!.node.defaultChild as any);
    expect(deny.Condition).toEqual({ ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [buildRole, 'Arn'] }] } });
    expect(statements).toHaveLength(2);
  });

  test('only the image build is privileged, and its privilege is acknowledged with a reason', () => {
    const projects = Object.entries<any>(template.findResources('AWS::CodeBuild::Project'));
    const privileged = projects.filter(([, p]) => p.Properties.Environment.PrivilegedMode).map(([id]) => id);
    expect(privileged).toEqual([expect.stringMatching(/ImageBuildapi/)]);
    const ack = pipeline.acknowledgments.find((a) => a.ruleId === 'AwsSolutions-CB3');
    expect(ack?.constructPath).toMatch(/ImageBuild-api\/ImageBuild-api\/Resource$/);
    expect(ack?.reason).toMatch(/Only this project is privileged/);
  });

  test('the build runs nothing of the repository but docker build, and logs in to ECR only after it', () => {
    const { install, build } = commandsOfProject(template, 'ImageBuildapi');
    expect(install).toEqual([]);
    const text = build.join('\n');
    expect(text).not.toMatch(/\bnpm\b|\bnpx\b|\byarn\b|\bpip\b|\bmake\b/);
    const buildAt = build.findIndex((c) => c.startsWith('docker build --pull --file services/api/Dockerfile'));
    const loginAt = build.findIndex((c) => c.includes('aws ecr get-login-password'));
    const pushAt = build.findIndex((c) => c === 'docker push "$IMAGE_REF"');
    expect(buildAt).toBeGreaterThan(0);
    expect(loginAt).toBeGreaterThan(buildAt);
    expect(pushAt).toBeGreaterThan(loginAt);
    expect(build[0]).toContain('IMAGE_REF="$REPOSITORY_URI:$CODEBUILD_RESOLVED_SOURCE_VERSION"');
  });

  test('the image gate: trivy image in remote mode on the commit\'s tag, judged by the findings engine, its SBOM kept under sbom/<commit>/', () => {
    const { build, project } = commandsOfProject(template, 'ImageScanapi');
    const text = build.join('\n');
    expect(text).toMatch(/trivy image --image-src remote --format json --output \/tmp\/devsecops\/reports\/trivy-image.json --scanners vuln --exit-code 0 .* "\$IMAGE_REF"/);
    expect(text).toContain('evaluate --gate image-api --fail-on HIGH');
    expect(text).toMatch(/trivy image --image-src remote --format cyclonedx/);
    expect(text).toMatch(/aws s3 cp --only-show-errors \/tmp\/devsecops\/reports\/image-sbom.cdx.json "s3:\/\/.*\/sbom\/\$\{CODEBUILD_RESOLVED_SOURCE_VERSION\}\/image-api.cdx.json"/);
    expect(project.Properties.Environment.PrivilegedMode).toBe(false);
    // trivy's database in the gates' cache, as in the SCA gate.
    expect(flatten(project.Properties.Cache.Location)).toMatch(/CacheBucket.*\/trivy$/);
  });

  test('the build, then the image gate, in the gates\' stage: before self-mutation and every Stage', () => {
    const stages = stagesOf(template);
    const names = stages.map((s) => s.name);
    const gates = stages.find((s) => s.name === 'SecurityGates')!;
    const build = gates.actions.find((a) => a.name === 'ImageBuild-api')!;
    const scan = gates.actions.find((a) => a.name === 'ImageScan-api')!;
    expect(scan.runOrder).toBeGreaterThan(build.runOrder);
    expect(names.indexOf('SecurityGates')).toBeLessThan(names.indexOf('UpdatePipeline'));
    expect(names.indexOf('SecurityGates')).toBeLessThan(names.indexOf('Staging'));
    expect(names.indexOf('SecurityGates')).toBeLessThan(names.indexOf('Prod'));
  });

  test('the Stages get the repository by ARN and the commit as the tag', () => {
    expect(image.tag).toBe(COMMIT);
    expect(image.imageUri).toMatch(new RegExp(`^111111111111\\.dkr\\.ecr\\.eu-west-1\\..*/pipelinestack/api:${COMMIT}$`));
  });

  test('five packs at zero, the Stage in another account included', () => {
    const { app } = imagePipeline();
    expect(errorsOf(synthViolations(app)).map((e) => `${e.plugin} ${e.rule} ${e.path}`)).toEqual([]);
  });
});

describe('image options', () => {
  test('build args and a Dockerfile are shell-quoted', () => {
    const { stack } = imagePipeline({ dockerfile: 'docker/Dockerfile.prod', buildArgs: { VERSION: "1.0 $(id) 'x'" } });
    const { build } = commandsOfProject(Template.fromStack(stack), 'ImageBuildapi');
    expect(build.find((c) => c.startsWith('docker build'))).toBe(
      "docker build --pull --file services/api/docker/Dockerfile.prod --build-arg 'VERSION=1.0 $(id) '\\''x'\\''' --tag \"$IMAGE_REF\" services/api");
  });

  test('ImageScan.none() leaves no gate and a warning', () => {
    const { stack } = imagePipeline({ scan: ImageScan.none() });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::CodeBuild::Project')).filter((id) => id.includes('ImageScan'))).toEqual([]);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('image gate of \'api\' is off'));
  });

  test('ecrScanFindings: the gate also waits for ECR\'s own scan (bounded) and judges it; five packs stay at zero', () => {
    const { app, stack } = imagePipeline({ scan: ImageScan.trivy({ ecrScanFindings: true, ecrScanTimeout: Duration.minutes(5) }) });
    const { build, project } = commandsOfProject(Template.fromStack(stack), 'ImageScanapi');
    const text = build.join('\n');
    expect(text).toContain("echo '/tmp/devsecops/reports/ecr-scan-findings.json:ecr' >> /tmp/devsecops/report-list");
    expect(text).toContain('cli.js ecr-scan-findings --repository "$REPOSITORY_NAME" --tag "$CODEBUILD_RESOLVED_SOURCE_VERSION" --out /tmp/devsecops/reports/ecr-scan-findings.json --timeout-seconds 300');
    expect(text).toContain('trivy image');
    expect(JSON.stringify(project.Properties.Environment.EnvironmentVariables)).toContain('pipelinestack/api');
    expect(errorsOf(synthViolations(app)).map((e) => `${e.plugin} ${e.rule} ${e.path}`)).toEqual([]);
  });

  test('ImageScan.ecrScanFindings(): ECR\'s results alone, no trivy, no install', () => {
    const { stack } = imagePipeline({ scan: ImageScan.ecrScanFindings() });
    const { build, install } = commandsOfProject(Template.fromStack(stack), 'ImageScanapi');
    expect(build.join('\n')).toContain('ecr-scan-findings --repository "$REPOSITORY_NAME" --tag "$CODEBUILD_RESOLVED_SOURCE_VERSION" --out /tmp/devsecops/reports/ecr-scan-findings.json --timeout-seconds 600');
    expect(build.join('\n')).not.toContain('trivy');
    expect(install.join('\n')).not.toContain('trivy');
  });

  test('ecrScanTimeout outside 30 s to 60 min is refused', () => {
    expect(() => ImageScan.trivy({ ecrScanTimeout: Duration.hours(2) })).toThrow(/ecrScanTimeout: 2 hours is outside 30 seconds to 60 minutes/);
  });

  test('enhanced scanning is registry-wide: only on request, with a warning, for the pipeline\'s repositories', () => {
    const plain = Template.fromStack(imagePipeline().stack);
    expect(plain.findResources('AWS::ECR::RegistryScanningConfiguration')).toEqual({});
    const { stack, pipeline } = imagePipeline();
    pipeline.enableRegistryEnhancedScanning();
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ECR::RegistryScanningConfiguration', {
      ScanType: 'ENHANCED',
      Rules: [{ ScanFrequency: 'CONTINUOUS_SCAN', RepositoryFilters: [{ Filter: 'pipelinestack/api', FilterType: 'WILDCARD' }] }],
    });
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('registry-wide'));
  });

  test('pullAccounts adds accounts that may pull', () => {
    const { stack } = imagePipeline({ pullAccounts: ['333333333333'] });
    const [repo] = Object.values<any>(Template.fromStack(stack).findResources('AWS::ECR::Repository'));
    const pull = repo.Properties.RepositoryPolicyText.Statement.find((s: any) => s.Sid === 'StageAccountsPull');
    expect(JSON.stringify(pull.Principal)).toContain(':iam::333333333333:root');
    expect(JSON.stringify(pull.Principal)).toContain(`:iam::${PROD_ACCOUNT}:root`);
  });

  test('bad input: every problem named, with its fix', () => {
    const { pipeline } = pipelineApp();
    expect(() => pipeline.addContainerImage('Bad Name', {
      directory: '../outside',
      dockerfile: '/abs',
      buildArgs: { 'no-dash': 'x' },
      keepImages: 0,
      pullAccounts: ['12'],
      repositoryName: 'UPPER',
    })).toThrow(/name: 'Bad Name'[\s\S]*directory: '..\/outside'[\s\S]*dockerfile: '\/abs'[\s\S]*buildArgs: 'no-dash'[\s\S]*repositoryName: 'UPPER'[\s\S]*keepImages: 0[\s\S]*pullAccounts: '12'/);
    pipeline.addContainerImage('api', { directory: 'api' });
    expect(() => pipeline.addContainerImage('api', { directory: 'api2' })).toThrow(/'api' is already an image/);
  });

  test('a pipeline stack without account and region is refused', () => {
    const { App, Stack } = jest.requireActual('aws-cdk-lib');
    const app = new App();
    const stack = new Stack(app, 'NoEnv');
    const { DevSecOpsPipeline } = jest.requireActual('../../src');
    const { connectionSource } = jest.requireActual('../pipeline/support');
    const pipeline = new DevSecOpsPipeline(stack, 'Pipeline', { source: connectionSource() });
    expect(() => pipeline.addContainerImage('api', { directory: 'api' })).toThrow(/no explicit account and region/);
    expect(AppStage).toBeDefined();
  });
});
