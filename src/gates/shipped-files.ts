import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AssetHashType } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { assetReadStatement, sha256Of, unpackVerified } from './verified-asset';
import { TOOLS_OPT_DIR } from '../tools/install';

/** The directories of assets/ a gate build copies in as checked files: pip locks, the vendored Semgrep rules, the policy engine. */
export type ShippedDirectory = 'scanner-locks' | 'semgrep-rules' | 'policy-engine';

const ASSET_IDS: Record<ShippedDirectory, string> = { 'scanner-locks': 'ScannerLocks', 'semgrep-rules': 'SemgrepRules', 'policy-engine': 'PolicyEngine' };

/** The package's assets/ directory. */
export const ASSETS_DIR = path.join(__dirname, '..', '..', 'assets');

/** Every file under `dir`, relative and sorted (the asset's contents, each checked in the build). */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const p = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The sha256 of each file of a shipped directory, taken once per process: the package's assets do
 * not change while an app synthesizes (the policy engine alone is 9 MB, read on every pipeline).
 */
const SHIPPED_SHA256 = new Map<string, Readonly<Record<string, string>>>();
function shippedSha256(dir: string, directory: ShippedDirectory): Readonly<Record<string, string>> {
  let digests = SHIPPED_SHA256.get(dir);
  if (!digests) {
    digests = sha256Of(dir, filesUnder(dir), (file, p) => `assets/${directory}/${file} is missing (${p})`);
    SHIPPED_SHA256.set(dir, digests);
  }
  return digests;
}

/**
 * A directory this package ships under assets/, as one S3 asset: the build copies it in and
 * checks every file against the sha256 taken at synth before anything reads it.
 */
export class ShippedFilesAsset extends Construct {
  /** The pipeline's one asset of `directory`, a child of `scope` created on first use. */
  public static of(scope: Construct, directory: ShippedDirectory): ShippedFilesAsset {
    const id = ASSET_IDS[directory];
    const found = scope.node.tryFindChild(id);
    return found instanceof ShippedFilesAsset ? found : new ShippedFilesAsset(scope, id, directory);
  }

  public readonly asset: s3assets.Asset;
  /** sha256 of each file, by path relative to the directory. */
  public readonly sha256: Readonly<Record<string, string>>;
  /** Where the build unpacks it (outside the scanned tree). */
  public readonly installDir: string;

  private constructor(scope: Construct, id: string, private readonly directory: ShippedDirectory) {
    super(scope, id);
    const dir = path.join(ASSETS_DIR, directory);
    if (!fs.existsSync(dir)) throw new Error(`assets/${directory} is missing (${dir}): the package ships it`);
    this.sha256 = shippedSha256(dir, directory);
    // The asset's hash is the digest of the per-file sha256s just taken: CDK need not read the files again.
    this.asset = new s3assets.Asset(this, 'Files', {
      path: dir,
      assetHashType: AssetHashType.CUSTOM,
      assetHash: createHash('sha256').update(JSON.stringify(this.sha256)).digest('hex'),
    });
    this.installDir = `${TOOLS_OPT_DIR}/${directory}`;
  }

  /** Read access to this one object, nothing else in the bootstrap bucket. */
  public readStatement(): iam.PolicyStatement {
    return assetReadStatement(this.asset);
  }

  /** Copies the directory in and checks each file. */
  public unpackCommands(): string[] {
    return [`mkdir -p ${this.installDir}`, ...unpackVerified(this.asset, `${TOOLS_OPT_DIR}/${this.directory}.zip`, this.installDir, this.sha256)];
  }
}
