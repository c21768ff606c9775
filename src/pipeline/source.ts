import { Token } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { throwIfProblems } from '../model/problems';

/**
 * Options for a CodeConnections source (GitHub, GitHub Enterprise, GitLab, Bitbucket).
 */
export interface ConnectionSourceOptions {
  /**
   * ARN of the CodeConnections (formerly CodeStar Connections) connection to the repository host.
   *
   * Example: `arn:aws:codeconnections:eu-west-1:123456789012:connection/11111111-2222-3333-4444-555555555555`.
   */
  readonly connectionArn: string;

  /**
   * Give the pipeline a full git clone (CodeBuild clones the repository through the connection)
   * instead of a zip of the files at the commit.
   *
   * A full clone lets the secret scanning gate scan the whole git history, not only the files.
   *
   * @default false
   */
  readonly fullClone?: boolean;

  /**
   * Start the pipeline on every push to the branch.
   *
   * @default true
   */
  readonly triggerOnPush?: boolean;
}

/**
 * Options for an S3 source.
 */
export interface S3SourceOptions {
  /**
   * Name of the source action, shown in the pipeline.
   *
   * @default - the bucket name, or `S3` when the bucket name is a token
   */
  readonly actionName?: string;
}

/**
 * Options for a CodeCommit source.
 */
export interface CodeCommitSourceOptions {
  /**
   * Give the pipeline a full git clone instead of a zip of the files at the commit.
   *
   * @default false
   */
  readonly fullClone?: boolean;
}

/**
 * Options for a source given as any `pipelines.IFileSetProducer`.
 */
export interface FileSetSourceOptions {
  /**
   * Whether the file set is a full git clone (with history), so that gates can scan the history.
   *
   * @default false
   */
  readonly fullClone?: boolean;

  /**
   * A short description of the source for the pipeline summary.
   *
   * @default 'custom file set'
   */
  readonly description?: string;
}

/**
 * Where the pipeline's source comes from.
 *
 * Use one of the static factories: `PipelineSource.connection(...)` for GitHub, GitLab
 * and Bitbucket through CodeConnections, `PipelineSource.s3(...)`,
 * `PipelineSource.codeCommit(...)`, or `PipelineSource.fromFileSet(...)` for any
 * `pipelines.IFileSetProducer`.
 */
export abstract class PipelineSource {
  /**
   * A repository on GitHub, GitHub Enterprise, GitLab or Bitbucket, through a CodeConnections connection.
   *
   * @param repoString the repository as `owner/name` (GitLab subgroups: `group/subgroup/name`)
   * @param branch the branch to build
   */
  public static connection(repoString: string, branch: string, options: ConnectionSourceOptions): PipelineSource {
    const problems: string[] = [];
    if (!Token.isUnresolved(repoString)) {
      if (!repoString || !repoString.trim()) {
        problems.push("repoString is empty: give the repository as 'owner/name', e.g. 'my-org/my-app'");
      } else if (!REPO_PATTERN.test(repoString)) {
        problems.push(`repoString '${repoString}' is not in 'owner/name' form: give the repository as 'owner/name' (e.g. 'my-org/my-app'), not a URL`);
      }
    }
    validateBranch(branch, problems);
    const arn = options?.connectionArn;
    if (!Token.isUnresolved(arn)) {
      if (!arn) {
        problems.push("connectionArn is empty: give the ARN of a CodeConnections connection, e.g. 'arn:aws:codeconnections:eu-west-1:123456789012:connection/<id>'");
      } else if (!CONNECTION_ARN_PATTERN.test(arn)) {
        problems.push(`connectionArn '${arn}' is not a CodeConnections connection ARN: expected 'arn:aws:codeconnections:<region>:<account>:connection/<id>' (or codestar-connections)`);
      }
    }
    throwIfProblems('PipelineSource.connection', problems);
    const fullClone = options.fullClone ?? false;
    const producer = pipelines.CodePipelineSource.connection(repoString, branch, {
      connectionArn: arn,
      codeBuildCloneOutput: fullClone,
      triggerOnPush: options.triggerOnPush ?? true,
    });
    return new FileSetPipelineSource(producer, fullClone, `${repoString}@${branch} (CodeConnections${fullClone ? ', full clone' : ''})`);
  }

  /**
   * A zip file in an S3 bucket. The bucket should have versioning on, so that each upload is a new version.
   *
   * @param bucket the bucket holding the source zip
   * @param objectKey the key of the zip file
   */
  public static s3(bucket: s3.IBucket, objectKey: string, options: S3SourceOptions = {}): PipelineSource {
    const problems: string[] = [];
    if (!Token.isUnresolved(objectKey) && (!objectKey || !objectKey.trim())) {
      problems.push("objectKey is empty: give the key of the source zip, e.g. 'source/app.zip'");
    }
    throwIfProblems('PipelineSource.s3', problems);
    const producer = pipelines.CodePipelineSource.s3(bucket, objectKey, { actionName: options.actionName });
    return new FileSetPipelineSource(producer, false, `s3://${Token.isUnresolved(bucket.bucketName) ? '<bucket>' : bucket.bucketName}/${objectKey}`);
  }

  /**
   * A CodeCommit repository.
   *
   * @param repository the repository
   * @param branch the branch to build
   */
  public static codeCommit(repository: codecommit.IRepository, branch: string, options: CodeCommitSourceOptions = {}): PipelineSource {
    const problems: string[] = [];
    validateBranch(branch, problems);
    throwIfProblems('PipelineSource.codeCommit', problems);
    const fullClone = options.fullClone ?? false;
    const producer = pipelines.CodePipelineSource.codeCommit(repository, branch, { codeBuildCloneOutput: fullClone });
    const name = Token.isUnresolved(repository.repositoryName) ? '<repository>' : repository.repositoryName;
    return new FileSetPipelineSource(producer, fullClone, `codecommit://${name}@${branch}${fullClone ? ' (full clone)' : ''}`);
  }

  /**
   * Any file set producer from CDK Pipelines, for sources the other factories do not cover.
   */
  public static fromFileSet(producer: pipelines.IFileSetProducer, options: FileSetSourceOptions = {}): PipelineSource {
    return new FileSetPipelineSource(producer, options.fullClone ?? false, options.description ?? 'custom file set');
  }

  /** The CDK Pipelines file set producer of this source. */
  public abstract readonly fileSetProducer: pipelines.IFileSetProducer;

  /** Whether the source is a full git clone (gates can scan the history). */
  public abstract readonly fullClone: boolean;

  /** A short human-readable description, used in the pipeline summary. */
  public abstract readonly description: string;
}

class FileSetPipelineSource extends PipelineSource {
  constructor(
    public readonly fileSetProducer: pipelines.IFileSetProducer,
    public readonly fullClone: boolean,
    public readonly description: string,
  ) {
    super();
  }
}

// owner/name, or group/subgroup/.../name for GitLab; no scheme, no host.
const REPO_PATTERN = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const CONNECTION_ARN_PATTERN = /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[A-Za-z0-9-]+$/;

function validateBranch(branch: string, problems: string[]): void {
  if (Token.isUnresolved(branch)) return;
  if (!branch || !branch.trim()) {
    problems.push("branch is empty: give the branch to build, e.g. 'main'");
  } else if (/\s/.test(branch) || branch.startsWith('refs/')) {
    problems.push(`branch '${branch}' is not a plain branch name: give it without spaces or 'refs/heads/', e.g. 'main'`);
  }
}
