import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { BIN_DIR, TOOLS_OPT_DIR } from '../tools/install';

/** Where the eslint-security engine is installed in a gate build: outside the scanned tree. */
export const ESLINT_ENGINE_DIR = `${TOOLS_OPT_DIR}/eslint-security`;

/** The files of the engine's npm project, shipped in this package (assets/eslint-security). */
export const ESLINT_ENGINE_FILES = ['package.json', 'package-lock.json'];

/**
 * The SAST gate's eslint-security engine as an npm project with a committed lock file
 * (assets/eslint-security): eslint, eslint-plugin-security, the SARIF formatter and the
 * TypeScript parser at the tools table's versions, and every transitive package pinned by
 * version and integrity. Shipped as an S3 asset; the build checks both files against the sha256
 * taken at synth, then `npm ci --ignore-scripts` installs exactly the lock (npm checks each
 * tarball's integrity) and fails if package.json and the lock disagree.
 */
export class EslintEngineAsset extends Construct {
  /** Directory of the engine's package.json and package-lock.json in this package. */
  public static readonly DIRECTORY = path.join(__dirname, '..', '..', 'assets', 'eslint-security');

  public readonly asset: s3assets.Asset;
  /** sha256 of each file, by name. */
  public readonly sha256: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const sha256: Record<string, string> = {};
    for (const file of ESLINT_ENGINE_FILES) {
      const p = path.join(EslintEngineAsset.DIRECTORY, file);
      if (!fs.existsSync(p)) throw new Error(`the eslint-security engine's ${file} is missing (${p}): the package ships it`);
      sha256[file] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
    }
    this.sha256 = sha256;
    this.asset = new s3assets.Asset(this, 'Lock', { path: EslintEngineAsset.DIRECTORY, exclude: ['node_modules'] });
  }

  /** Read access to this one object, nothing else in the bootstrap bucket. */
  public readStatement(): iam.PolicyStatement {
    return new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::${this.asset.s3BucketName}/${this.asset.s3ObjectKey}`],
    });
  }

  /** Copies the lock in, checks it, installs exactly it (no scripts) and puts eslint on the PATH. */
  public installCommands(): string[] {
    const zip = `${TOOLS_OPT_DIR}/eslint-security.zip`;
    return [
      `mkdir -p ${ESLINT_ENGINE_DIR}`,
      `aws s3 cp --only-show-errors s3://${this.asset.s3BucketName}/${this.asset.s3ObjectKey} ${zip}`,
      `unzip -q -o ${zip} -d ${ESLINT_ENGINE_DIR}`,
      ...ESLINT_ENGINE_FILES.map((f) => `echo "${this.sha256[f]}  ${ESLINT_ENGINE_DIR}/${f}" | sha256sum -c -`),
      `npm ci --prefix ${ESLINT_ENGINE_DIR} --ignore-scripts --no-audit --no-fund`,
      `ln -sf ${ESLINT_ENGINE_DIR}/node_modules/.bin/eslint ${BIN_DIR}/eslint`,
    ];
  }
}
