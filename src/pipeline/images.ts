import { execFileSync } from 'child_process';
import { Annotations, Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ImageScan } from '../gates/image';
import { throwIfProblems } from '../model/problems';
import { shellArg, shellQuote } from '../scanners/steps';

/**
 * Options of a container image built by the pipeline.
 */
export interface ContainerImageOptions {
  /** Directory of the build context, relative to the repository root, e.g. `services/api`. */
  readonly directory: string;

  /**
   * The Dockerfile, relative to `directory`.
   *
   * @default 'Dockerfile'
   */
  readonly dockerfile?: string;

  /**
   * `--build-arg` values (shell-quoted; never secrets: build arguments stay in the image's history).
   *
   * @default - none
   */
  readonly buildArgs?: Record<string, string>;

  /**
   * The image gate: scans the pushed image before any Stage deploys.
   *
   * @default ImageScan.trivy()
   */
  readonly scan?: ImageScan;

  /**
   * Accounts, besides those of the Stages the pipeline deploys, allowed to pull the image.
   *
   * @default - the accounts of the pipeline's Stages only
   */
  readonly pullAccounts?: string[];

  /**
   * How many tagged images (commits) the repository keeps; older ones expire.
   *
   * @default 100
   */
  readonly keepImages?: number;

  /**
   * Name of the ECR repository.
   *
   * @default - `<pipeline stack name, lower case>/<name>`
   */
  readonly repositoryName?: string;
}

/** What the pipeline gives a PipelineImage. */
export interface PipelineImageProps extends ContainerImageOptions {
  readonly name: string;
  readonly source: pipelines.IFileSetProducer;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
}

const IMAGE_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;
const RELATIVE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]+$/;
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The variable CodeBuild sets to the commit id of a pipeline's source. */
export const COMMIT_VARIABLE = 'CODEBUILD_RESOLVED_SOURCE_VERSION';

/**
 * A container image the pipeline builds from the repository, pushes to its own hardened ECR
 * repository tagged with the commit id, and scans before any Stage deploys. Made by
 * `DevSecOpsPipeline.addContainerImage`.
 *
 * A Stage uses it with `ecs.ContainerImage.fromEcrRepository(image.repositoryIn(this), image.tag)`.
 */
export class PipelineImage extends Construct {
  /** The image's name in the pipeline. */
  public readonly imageName: string;

  /** The hardened ECR repository (immutable tags, KMS, scan on push, lifecycle rules, retained). */
  public readonly repository: ecr.Repository;

  /** The repository's name (a plain string, usable in any Stage). */
  public readonly repositoryName: string;

  /**
   * The tag this synthesis deploys: the commit id of the source (`CODEBUILD_RESOLVED_SOURCE_VERSION`
   * in the pipeline's synth; `git rev-parse HEAD` in a local synth).
   */
  public readonly tag: string;

  /** `<account>.dkr.ecr.<region>.<suffix>/<repository>:<tag>`, the image a Stage deploys. */
  public readonly imageUri: string;

  /** The step that builds and pushes the image (the pipeline's one privileged build). */
  public readonly buildStep: pipelines.CodeBuildStep;

  /** Accounts besides the Stages' allowed to pull. */
  public readonly pullAccounts: string[];

  private readonly account: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, props: PipelineImageProps) {
    super(scope, id);
    const stack = Stack.of(this);
    validate(stack, props);
    this.imageName = props.name;
    this.account = stack.account;
    this.region = stack.region;
    this.pullAccounts = props.pullAccounts ?? [];
    this.repositoryName = props.repositoryName ?? `${stack.stackName.toLowerCase()}/${props.name}`;
    this.tag = sourceCommit(this);
    this.imageUri = `${this.account}.dkr.ecr.${this.region}.${stack.urlSuffix}/${this.repositoryName}:${this.tag}`;

    this.repository = new ecr.Repository(this, 'Repository', {
      repositoryName: this.repositoryName,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      encryption: ecr.RepositoryEncryption.KMS,
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
      lifecycleRules: [
        { rulePriority: 1, description: 'Untagged images (failed or superseded pushes) expire after a day', tagStatus: ecr.TagStatus.UNTAGGED, maxImageAge: Duration.days(1) },
        { rulePriority: 2, description: `Keep the last ${props.keepImages ?? 100} images (one per commit)`, tagStatus: ecr.TagStatus.ANY, maxImageCount: props.keepImages ?? 100 },
      ],
    });

    const dockerfile = `${props.directory.replace(/\/+$/, '')}/${props.dockerfile ?? 'Dockerfile'}`;
    const buildArgs = Object.entries(props.buildArgs ?? {}).map(([k, v]) => `--build-arg ${shellQuote(`${k}=${v}`)}`);
    this.buildStep = new pipelines.CodeBuildStep(`ImageBuild-${props.name}`, {
      input: props.source,
      // Nothing installed, nothing of the repository run but `docker build` (in its containers).
      installCommands: [],
      commands: [
        `: "\${${COMMIT_VARIABLE}:?no commit id: the image tag is the commit id}" && IMAGE_REF="$REPOSITORY_URI:$${COMMIT_VARIABLE}"`,
        'REGISTRY="${REPOSITORY_URI%%/*}"',
        // Tags are immutable: a re-run for the same commit keeps the image already pushed and scanned.
        'if aws ecr describe-images --repository-name "$REPOSITORY_NAME" --image-ids imageTag="$CODEBUILD_RESOLVED_SOURCE_VERSION" > /dev/null 2>&1; then echo "image $IMAGE_REF exists (immutable tag): not rebuilt"; exit 0; fi',
        ['docker build --pull', `--file ${shellArg(dockerfile)}`, ...buildArgs, '--tag "$IMAGE_REF"', shellArg(props.directory)].join(' '),
        // Logged in only after the build: no step of the Dockerfile runs while the registry credentials exist.
        'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
        'docker push "$IMAGE_REF"',
        'docker logout "$REGISTRY"',
      ],
      env: { REPOSITORY_URI: this.repository.repositoryUri, REPOSITORY_NAME: this.repository.repositoryName },
      // The one privileged build: Docker needs it. Acknowledged by the pipeline with its reason.
      buildEnvironment: { privileged: true, buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      rolePolicyStatements: [
        new iam.PolicyStatement({
          actions: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage', 'ecr:DescribeImages', 'ecr:BatchGetImage'],
          resources: [this.repository.repositoryArn],
        }),
        // The registry token has no resource of its own (AWS's design).
        new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }),
      ],
    });
  }

  /**
   * The repository as seen from a Stage's stack (in any account): an imported repository by ARN,
   * for `ecs.ContainerImage.fromEcrRepository(image.repositoryIn(this), image.tag)`.
   */
  public repositoryIn(scope: Construct, id: string = `${this.imageName}Repository`): ecr.IRepository {
    return ecr.Repository.fromRepositoryAttributes(scope, id, {
      repositoryArn: `arn:${Aws.PARTITION}:ecr:${this.region}:${this.account}:repository/${this.repositoryName}`,
      repositoryName: this.repositoryName,
    });
  }

  /**
   * Lets the given accounts pull, and only the build push. Called once the pipeline is built.
   * @internal
   */
  public _restrictAccess(pushRole: iam.IRole, stageAccounts: string[]): void {
    const pullers = [...new Set([...stageAccounts, ...this.pullAccounts])].filter((a) => a !== this.account).sort();
    if (pullers.length > 0) {
      this.repository.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'StageAccountsPull',
        principals: pullers.map((a) => new iam.AccountPrincipal(a)),
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      }));
    }
    // Same-account IAM could otherwise grant pushes: the repository refuses every writer but the build.
    this.repository.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OnlyThePipelineBuildPushes',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      // Pushes only: CloudFormation must still update this policy, and administrators delete images.
      actions: ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': [pushRole.roleArn] } },
    }));
  }
}

/** The commit id this synthesis is for. */
function sourceCommit(scope: Construct): string {
  const fromBuild = process.env[COMMIT_VARIABLE];
  if (fromBuild && /^[0-9a-f]{7,64}$/.test(fromBuild)) return fromBuild;
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (/^[0-9a-f]{40,64}$/.test(head)) return head;
  } catch {
    // no git: below
  }
  Annotations.of(scope).addWarningV2('cdk-devsecops-pipeline:noCommitId',
    `no commit id (${COMMIT_VARIABLE} unset, no git): the Stages reference the tag 'unknown-commit', which the pipeline never pushes`);
  return 'unknown-commit';
}

function validate(stack: Stack, props: PipelineImageProps): void {
  const problems: string[] = [];
  if (typeof props.name !== 'string' || !IMAGE_NAME.test(props.name)) {
    problems.push(`name: '${props.name}' is not an image name: use 1-40 lower-case letters, digits and '-', e.g. 'api'`);
  }
  if (typeof props.directory !== 'string' || !RELATIVE_PATH.test(props.directory)) {
    problems.push(`directory: '${props.directory}' is not a path inside the repository: give a relative path without '..', e.g. 'services/api'`);
  }
  if (props.dockerfile !== undefined && !RELATIVE_PATH.test(props.dockerfile)) {
    problems.push(`dockerfile: '${props.dockerfile}' is not a path relative to the directory: give e.g. 'Dockerfile' or 'docker/Dockerfile.prod'`);
  }
  for (const k of Object.keys(props.buildArgs ?? {})) {
    if (!BUILD_ARG.test(k)) problems.push(`buildArgs: '${k}' is not a build argument name: use letters, digits and '_', starting with a letter or '_'`);
  }
  const repo = props.repositoryName;
  if (repo !== undefined && !Token.isUnresolved(repo) && (!REPOSITORY_NAME.test(repo) || repo.length < 2 || repo.length > 256)) {
    problems.push(`repositoryName: '${props.repositoryName}' is not an ECR repository name: use lower-case letters, digits, '.', '_', '-' and '/', e.g. 'my-app/api'`);
  }
  if (props.keepImages !== undefined && (!Number.isInteger(props.keepImages) || props.keepImages < 1)) {
    problems.push(`keepImages: ${props.keepImages} is not a positive whole number: give e.g. 100`);
  }
  for (const a of props.pullAccounts ?? []) {
    if (!Token.isUnresolved(a) && !/^\d{12}$/.test(a)) problems.push(`pullAccounts: '${a}' is not an AWS account id: give 12 digits`);
  }
  if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
    problems.push(`the pipeline's stack '${stack.stackName}' has no explicit account and region: give the stack an env ({ account, region }) so Stages in any account can name the image's repository`);
  }
  if (props.scan !== undefined && !(props.scan instanceof ImageScan)) {
    problems.push('scan: not made by an ImageScan factory: use e.g. ImageScan.trivy(), or ImageScan.none() to turn the gate off');
  }
  throwIfProblems(`addContainerImage(${typeof props.name === 'string' ? props.name : ''})`, problems);
}
