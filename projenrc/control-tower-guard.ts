/**
 * Build step (projen task bundle:control-tower-guard): copies the AWS Control Tower proactive
 * controls, as cfn-guard rule files, from the pinned devDependency @cdklabs/cdk-validator-cfnguard
 * into assets/control-tower-guard, with a manifest of each file's sha256 and where it came from.
 * The package ships that directory; the IaC gate stages only the rules a user selects from it, so
 * no build downloads the validator's 12 MB tarball for them.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { CONTROL_TOWER_MANIFEST, ControlTowerManifest } from '../src/gates/control-tower-rules';

const PACKAGE = '@cdklabs/cdk-validator-cfnguard';
const RULES_IN_PACKAGE = 'rules/control-tower/cfn-guard';

/** Copies the rules of the validator package installed under `root`/node_modules into `out`, replacing it. */
export function copyControlTowerRules(root: string, out: string): ControlTowerManifest {
  const pkgDir = path.join(root, 'node_modules', ...PACKAGE.split('/'));
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  // The integrity npm checked the tarball against when it installed it (package-lock.json).
  const locked = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')).packages?.[`node_modules/${PACKAGE}`];
  if (!locked || locked.version !== pkg.version || !/^sha512-/.test(locked.integrity ?? '')) {
    throw new Error(`${PACKAGE} ${pkg.version} in node_modules is not the version package-lock.json pins (${locked?.version}): run npm ci`);
  }
  const rulesDir = path.join(pkgDir, ...RULES_IN_PACKAGE.split('/'));
  const rules: Record<string, { file: string; sha256: string }> = {};
  fs.rmSync(out, { recursive: true, force: true });
  for (const rel of listFiles(rulesDir)) {
    if (!rel.endsWith('.guard')) throw new Error(`${PACKAGE}: unexpected file ${rel} in ${RULES_IN_PACKAGE}`);
    const id = path.posix.basename(rel, '.guard');
    // Rules are picked by id: two files with one id would make the pick ambiguous.
    if (rules[id]) throw new Error(`${PACKAGE}: two rule files for ${id}: ${rules[id].file} and ${rel}`);
    const content = fs.readFileSync(path.join(rulesDir, rel));
    fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
    fs.writeFileSync(path.join(out, rel), content);
    rules[id] = { file: rel, sha256: createHash('sha256').update(content).digest('hex') };
  }
  if (Object.keys(rules).length === 0) throw new Error(`${PACKAGE}: no rule files in ${RULES_IN_PACKAGE}`);
  // Apache-2.0 asks redistributions to carry the license.
  fs.copyFileSync(path.join(pkgDir, 'LICENSE'), path.join(out, 'LICENSE'));
  const manifest: ControlTowerManifest = {
    source: {
      package: PACKAGE,
      version: pkg.version,
      integrity: locked.integrity,
      path: RULES_IN_PACKAGE,
      license: pkg.license,
      repository: pkg.repository?.url ?? '',
    },
    rules: Object.fromEntries(Object.entries(rules).sort(([a], [b]) => a.localeCompare(b))),
  };
  fs.writeFileSync(path.join(out, CONTROL_TOWER_MANIFEST), `${JSON.stringify(manifest, undefined, 2)}\n`);
  return manifest;
}

function listFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(path.join(dir, prefix), { withFileTypes: true }).flatMap((e) => {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) return listFiles(dir, rel);
    if (!e.isFile()) throw new Error(`${PACKAGE}: ${rel} is not a regular file`);
    return [rel];
  }).sort();
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const m = copyControlTowerRules(root, path.join(root, 'assets', 'control-tower-guard'));
  console.log(`assets/control-tower-guard: ${Object.keys(m.rules).length} rules of ${m.source.package} ${m.source.version}`);
}
