import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { WORK_DIR } from './step';
import { assetReadStatement, sha256Of, unpackVerified } from './verified-asset';

/** The manifest's file name in assets/control-tower-guard. */
export const CONTROL_TOWER_MANIFEST = 'manifest.json';

/** The build task that writes assets/control-tower-guard (.projenrc.ts). */
export const CONTROL_TOWER_BUILD_TASK = 'bundle:control-tower-guard';

/** What assets/control-tower-guard/manifest.json holds. */
export interface ControlTowerManifest {
  /** Where the rule files were copied from: the pinned devDependency, as npm installed it. */
  readonly source: {
    readonly package: string;
    readonly version: string;
    /** The tarball's integrity in package-lock.json, which npm checked when it installed it. */
    readonly integrity: string;
    /** Directory of the rules inside the package. */
    readonly path: string;
    readonly license: string;
    readonly repository: string;
  };
  /** Each rule by its Control Tower id: its file (relative to the manifest) and sha256. */
  readonly rules: Readonly<Record<string, { readonly file: string; readonly sha256: string }>>;
}

/**
 * The AWS Control Tower proactive controls (cfn-guard rules) a user selected, as an S3 asset
 * holding exactly those files (`<id>.guard`). The rules are copied at build time from the pinned
 * @cdklabs/cdk-validator-cfnguard into assets/control-tower-guard, which the package ships; at
 * synth each selected file is checked against that manifest and its sha256 is taken again, and the
 * build checks every file it unpacked against it before cfn-guard reads any.
 */
export class ControlTowerRulesAsset extends Construct {
  /** Directory of the shipped rules and their manifest in this package. */
  public static readonly DIRECTORY = path.join(__dirname, '..', '..', 'assets', 'control-tower-guard');

  /** The manifest of the shipped rules; an error naming the build task when they are missing. */
  public static manifest(): ControlTowerManifest {
    const file = path.join(ControlTowerRulesAsset.DIRECTORY, CONTROL_TOWER_MANIFEST);
    if (!fs.existsSync(file)) {
      throw new Error(`the Control Tower Guard rules are missing (${file}): build them with 'npx projen ${CONTROL_TOWER_BUILD_TASK}' (the package ships them)`);
    }
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ControlTowerManifest;
  }

  public readonly asset: s3assets.Asset;
  /** sha256 of each staged file (`<id>.guard`), taken at synth. */
  public readonly sha256: Readonly<Record<string, string>>;
  /** The directory the asset was made from: the selected rule files and nothing else. */
  public readonly stagedDirectory: string;

  constructor(scope: Construct, id: string, ruleIds: readonly string[]) {
    super(scope, id);
    const manifest = ControlTowerRulesAsset.manifest();
    const unknown = ruleIds.filter((r) => !Object.prototype.hasOwnProperty.call(manifest.rules, r));
    if (unknown.length > 0) {
      throw new Error(`IacScan.cfnGuard: controlTowerRules: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not among the Control Tower rules of ${manifest.source.package} ${manifest.source.version}: use ids listed in ${path.join(ControlTowerRulesAsset.DIRECTORY, CONTROL_TOWER_MANIFEST)}`);
    }
    const files = [...new Set(ruleIds)].sort().map((r) => ({ id: r, name: `${r}.guard`, ...manifest.rules[r] }));
    // One directory per selection, named by its content, so repeated synths reuse it.
    const selection = createHash('sha256').update(files.map((f) => `${f.name} ${f.sha256}\n`).join('')).digest('hex').slice(0, 16);
    this.stagedDirectory = path.join(os.tmpdir(), 'cdk-devsecops-control-tower', selection);
    fs.mkdirSync(this.stagedDirectory, { recursive: true });
    for (const f of files) {
      const content = fs.readFileSync(path.join(ControlTowerRulesAsset.DIRECTORY, ...f.file.split('/')));
      if (createHash('sha256').update(content).digest('hex') !== f.sha256) {
        throw new Error(`the Control Tower rule ${f.file} in ${ControlTowerRulesAsset.DIRECTORY} does not match its manifest's sha256: rebuild it with 'npx projen ${CONTROL_TOWER_BUILD_TASK}' or reinstall the package`);
      }
      const staged = path.join(this.stagedDirectory, f.name);
      if (fs.existsSync(staged) && createHash('sha256').update(fs.readFileSync(staged)).digest('hex') === f.sha256) continue;
      // Written outside the directory, then renamed into it: a concurrent synth never reads a half-written file.
      const tmp = path.join(path.dirname(this.stagedDirectory), `.${selection}-${f.name}.${process.pid}`);
      fs.writeFileSync(tmp, content);
      fs.renameSync(tmp, staged);
    }
    const names = files.map((f) => f.name);
    for (const extra of fs.readdirSync(this.stagedDirectory).filter((n) => !names.includes(n))) {
      fs.rmSync(path.join(this.stagedDirectory, extra), { force: true });
    }
    // Taken from the staged files, which the asset is made of.
    this.sha256 = sha256Of(this.stagedDirectory, names, (_f, p) => `the staged Control Tower rule ${p} is missing`);
    this.asset = new s3assets.Asset(this, 'Rules', { path: this.stagedDirectory });
  }

  /** Read access to this one object, nothing else in the bootstrap bucket. */
  public readStatement(): iam.PolicyStatement {
    return assetReadStatement(this.asset);
  }

  /** Copies the rules into `dir` and checks each file against the sha256 taken at synth. */
  public installCommands(dir: string): string[] {
    return [
      `mkdir -p ${dir}`,
      ...unpackVerified(this.asset, `${WORK_DIR}/control-tower-guard.zip`, dir, this.sha256),
    ];
  }
}
