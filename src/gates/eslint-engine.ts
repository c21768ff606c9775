import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { assetReadStatement, sha256Of, unpackVerified } from './verified-asset';
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

  /** The pipeline's one engine asset: the child `EslintEngine` of `scope`, created on first use. */
  public static of(scope: Construct): EslintEngineAsset {
    const found = scope.node.tryFindChild('EslintEngine');
    return found instanceof EslintEngineAsset ? found : new EslintEngineAsset(scope, 'EslintEngine');
  }

  public readonly asset: s3assets.Asset;
  /** sha256 of each file, by name. */
  public readonly sha256: Readonly<Record<string, string>>;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.sha256 = sha256Of(EslintEngineAsset.DIRECTORY, ESLINT_ENGINE_FILES, (file, p) => `the eslint-security engine's ${file} is missing (${p}): the package ships it`);
    this.asset = new s3assets.Asset(this, 'Lock', { path: EslintEngineAsset.DIRECTORY, exclude: ['node_modules'] });
  }

  /** Read access to this one object, nothing else in the bootstrap bucket. */
  public readStatement(): iam.PolicyStatement {
    return assetReadStatement(this.asset);
  }

  /** Copies the lock in, checks it, installs exactly it (no scripts) and puts eslint on the PATH. */
  public installCommands(): string[] {
    return [
      `mkdir -p ${ESLINT_ENGINE_DIR}`,
      ...unpackVerified(this.asset, `${TOOLS_OPT_DIR}/eslint-security.zip`, ESLINT_ENGINE_DIR, this.sha256),
      `npm ci --prefix ${ESLINT_ENGINE_DIR} --ignore-scripts --no-audit --no-fund`,
      `ln -sf ${ESLINT_ENGINE_DIR}/node_modules/.bin/eslint ${BIN_DIR}/eslint`,
    ];
  }
}
