/**
 * `devsecops-findings scan`: the pipeline's static gates, run locally with the scanners that are
 * installed. The scanner command lines come from the descriptors in src/scanners/ (the same the gates'
 * buildspecs run); each report goes through `evaluate` and the gates through `summary`, in this
 * process, so the policy, outputs and Markdown are the pipeline's.
 */
import { spawnSync } from 'child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { isAbsolute, join, relative, resolve } from 'path';
import { parseArgs } from 'util';
import { checkBaseImages, DEFAULT_ALLOWED_BASE_IMAGES, findDockerfiles } from './base-images';
import type { Io, RunCommand } from './cli-io';
import { DockerfileError } from './dockerfile';
import { DEFAULT_FAIL_ON, DEFAULT_SUPPRESSIONS_FILE, GATE_NAMES, GateName } from '../model/gates';
import { SEVERITY_ORDER, Severity } from '../model/severity';
import { gateEngine, gateEngines } from '../scanners';
import { DEFAULT_CONTROL_TOWER_RULES } from '../scanners/cfn-guard';
import { coversFiles, walk } from '../scanners/coverage';
import { LOCK_FILES, nestedPomLine, notAnalyzedLine, SAST_DETECT_SARIF, UNCOVERED_LANGUAGES } from '../scanners/languages';
import { argValue, ScannerInvocation, ScanStep } from '../scanners/steps';

// `sca` is what the gate is called in prose; its findings are filed as `dependencies` in the pipeline.
const GATE_ALIASES: Record<string, GateName> = { sca: 'dependencies' };

/**
 * The Control Tower rules this package ships (assets/control-tower-guard, the IaC gate's rule set):
 * beside the bundled CLI (assets/findings-cli/cli.js), or from lib/findings or src/findings.
 */
const CONTROL_TOWER_SHIPPED = [join(__dirname, '..', 'control-tower-guard'), join(__dirname, '..', '..', 'assets', 'control-tower-guard')];
/** Where @cdklabs/cdk-validator-cfnguard keeps the same rules, when the package's own are not there. */
const CONTROL_TOWER_IN_NODE_MODULES = join('node_modules', '@cdklabs', 'cdk-validator-cfnguard', 'rules', 'control-tower', 'cfn-guard');

export const SCAN_HELP = `scan: runs the static gates locally with the scanners found on the PATH, with the
  pipeline's scanner commands, policy and summary. Each gate runs its default engine, or the
  first alternative installed: secrets gitleaks, trufflehog, secretlint (files, not history);
  sast every applicable engine of semgrep (needs --semgrep-rules), bandit (Python files),
  spotbugs (pom.xml, needs mvn), eslint-security (package.json or JavaScript/TypeScript files;
  eslint with eslint-plugin-security, @microsoft/eslint-formatter-sarif and
  @typescript-eslint/parser installed beside it); sca trivy fs; sbom trivy, cyclonedx-npm (package-lock.json);
  iac cfn-guard (Control Tower rules), checkov. A gate without an installed scanner is SKIPPED,
  never passed. Writes evaluate's outputs to --out DIR/<gate>/ (native reports in reports/) and
  the merged summary to --out DIR/summary.md, and prints it.
  DIR (or --dir DIR)        the directory to scan (default .)
  --gates LIST              comma-separated: secrets,sast,sca,sbom,iac,dockerfile (default all)
  --fail-on SEVERITY        as for evaluate (default HIGH)
  --suppressions FILE       as for evaluate (default DIR/.devsecops/suppressions.yaml when it exists)
  --out DIR                 outside --dir (the scanners must not read earlier reports);
                            default a new temporary directory
  --templates GLOB          IaC templates, relative to --dir (default cdk.out/**/*.template.json;
                            without cdk.out and --templates the IaC gate is SKIPPED)
  --control-tower-rules DIR cfn-guard Control Tower rules (default: the ones this package
                            ships, else ${CONTROL_TOWER_IN_NODE_MODULES} above --dir)
  --guard-rules PATH        your own Guard rule file or directory; repeatable
  --semgrep-rules PATH      Semgrep rule file or directory; repeatable (rules are never downloaded)
  Exit codes: 0 every gate that ran passed; 1 a gate blocks; 2 bad input, a scanner that failed or
  wrote no report, or no gate could run (the message names the tools to install).`;

class ScanError extends Error {}

interface Options {
  readonly gates: GateName[];
  readonly dir: string;
  readonly out: string;
  readonly failOn: Severity;
  readonly suppressions?: string;
  readonly templates?: string;
  readonly controlTowerRules?: string;
  readonly guardRules: string[];
  readonly semgrepRules: string[];
}

/** What a gate runs: its scanners, or why it cannot run. */
type Plan =
  | {
    readonly kind: 'run';
    readonly engines: Array<{ readonly name: string; readonly invocation: ScannerInvocation }>;
    readonly notes: string[];
    readonly prepare?: () => void;
    readonly evaluateArgs?: string[];
  }
  | { readonly kind: 'skip'; readonly reason: string; readonly install: string[] }
  | { readonly kind: 'error'; readonly reason: string };

type Outcome = 'PASSED' | 'FAILED' | 'SKIPPED' | 'ERROR';
interface GateOutcome { readonly gate: GateName; readonly outcome: Outcome; readonly detail: string; readonly dir?: string }

/** `command -v` semantics: true when the shell finds the command on the PATH. */
export function onPath(command: string): boolean {
  // The name is a positional parameter, never part of the script; /bin/sh by path so that any PATH works.
  return spawnSync('/bin/sh', ['-c', 'command -v "$1" >/dev/null 2>&1', 'sh', command], { stdio: 'ignore' }).status === 0;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * As the SCA and SBOM gates' `lockFilesScript`: the lock files that list a package, written to a
 * file for `evaluate --lock-files-from` (a report that inventoried none of them fails as not analyzed).
 */
function lockFileArgs(root: string, workDir: string): { prepare: () => void; evaluateArgs: string[] } {
  const list = join(workDir, 'lock-files');
  const prepare = () => {
    const found: string[] = [];
    walk(root, (rel) => {
      const name = rel.slice(rel.lastIndexOf('/') + 1);
      if (rel.split('/').includes('node_modules') || !LOCK_FILES.includes(name)) return false;
      const text = readFileSync(join(root, rel), 'utf8');
      const lists = name === 'package-lock.json' || name === 'npm-shrinkwrap.json'
        ? /"resolved"|"node_modules\//.test(text)
        : text.split(/\r?\n/).some((l) => !/^\s*(#|\/\/|$)/.test(l));
      if (lists) found.push(rel);
      return false;
    });
    mkdirSync(workDir, { recursive: true });
    writeFileSync(list, found.sort().map((f) => `${f}\n`).join(''));
  };
  return { prepare, evaluateArgs: ['--lock-files-from', list] };
}


/** The code no SAST engine covers, as `notAnalyzedScript` lists it in the gate (same table, same lines). */
export function uncoveredCode(root: string): string[] {
  const rootPom = existsSync(join(root, 'pom.xml'));
  const counts = new Map<string, number>();
  const poms: string[] = [];
  const byExtension = new Map<string, string>();
  for (const l of UNCOVERED_LANGUAGES) {
    if (rootPom && l.coveredByRootPom) continue;
    for (const e of l.extensions) byExtension.set(e, l.name);
  }
  walk(root, (rel) => {
    // Nested node_modules are dependencies, as in the gate's detection.
    if (rel.split('/').includes('node_modules')) return false;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    const dot = name.lastIndexOf('.');
    const language = dot > 0 ? byExtension.get(name.slice(dot + 1)) : undefined;
    if (language !== undefined) counts.set(language, (counts.get(language) ?? 0) + 1);
    if (!rootPom && name === 'pom.xml') poms.push(rel);
    return false;
  });
  // The gate's order: the languages no root pom.xml changes, then Java and Kotlin, then the poms.
  const ordered = [...UNCOVERED_LANGUAGES.filter((l) => !l.coveredByRootPom), ...UNCOVERED_LANGUAGES.filter((l) => l.coveredByRootPom)];
  const lines = ordered.filter((l) => counts.has(l.name)).map((l) => notAnalyzedLine(l.name, counts.get(l.name)!));
  if (poms.length > 0) lines.push(nestedPomLine(poms.sort().slice(0, 3)));
  return lines;
}

/** A glob (`*`, `?`, `**`) as a regular expression over `/`-separated relative paths. */
export function globRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      re += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${re}$`);
}

/** The files matching `glob`, relative to `base` (absolute globs allowed). */
function globFiles(base: string, glob: string): string[] {
  const parts = glob.split('/');
  const fixed: string[] = [];
  while (parts.length > 1 && !/[*?]/.test(parts[0])) fixed.push(parts.shift()!);
  const root = resolve(base, fixed.join('/') || '.');
  const re = globRegExp(parts.join('/'));
  const found: string[] = [];
  // A glob names what it wants: nothing pruned but .git.
  walk(root, (r) => {
    if (re.test(r)) found.push(join(root, r));
    return false;
  }, ['.git']);
  return found.sort();
}

/** The Control Tower rule directory: explicit, this package's own, or the validator package's, looked for above --dir and the working directory. */
function findControlTowerRules(explicit: string | undefined, dir: string): string | undefined {
  if (explicit !== undefined) return explicit;
  const shipped = CONTROL_TOWER_SHIPPED.find((d) => existsSync(join(d, 'manifest.json')));
  if (shipped) return shipped;
  for (const start of [dir, process.cwd()]) {
    for (let d = start; ; d = resolve(d, '..')) {
      const candidate = join(d, CONTROL_TOWER_IN_NODE_MODULES);
      if (existsSync(candidate)) return candidate;
      if (resolve(d, '..') === d) break;
    }
  }
  return undefined;
}

function parse(args: string[]): Options {
  const { values, positionals } = parseArgs({
    args,
    strict: true,
    allowPositionals: true,
    options: {
      'dir': { type: 'string' },
      'gates': { type: 'string' },
      'fail-on': { type: 'string' },
      'suppressions': { type: 'string' },
      'out': { type: 'string' },
      'templates': { type: 'string' },
      'control-tower-rules': { type: 'string' },
      'guard-rules': { type: 'string', multiple: true },
      'semgrep-rules': { type: 'string', multiple: true },
    },
  });
  const gates = gateList(values.gates);
  if (positionals.length > 1) throw new ScanError(`one directory to scan, not ${positionals.length} (${positionals.join(' ')})`);
  if (positionals.length === 1 && values.dir !== undefined) throw new ScanError(`the directory is given twice (${positionals[0]} and --dir ${values.dir}): give it once`);
  const given = positionals[0] ?? values.dir ?? '.';
  const dir = resolve(given);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ScanError(`${given}: not a directory`);
  const failOn = (values['fail-on'] ?? DEFAULT_FAIL_ON).trim().toUpperCase();
  if (!(SEVERITY_ORDER as readonly string[]).includes(failOn)) {
    throw new ScanError(`--fail-on "${values['fail-on']}" is not a severity; use one of ${SEVERITY_ORDER.join(', ')}`);
  }
  const mustExist = (what: string, p: string | undefined) => {
    if (p !== undefined && !existsSync(p)) throw new ScanError(`${what} ${p}: does not exist`);
    return p === undefined ? undefined : resolve(p);
  };
  let suppressions = mustExist('--suppressions', values.suppressions);
  // The scanned repository's own default file, whatever the working directory.
  const dflt = join(dir, DEFAULT_SUPPRESSIONS_FILE);
  if (suppressions === undefined && existsSync(dflt)) suppressions = dflt;
  const insideDir = (p: string) => new ScanError(
    `--out ${p} is inside --dir ${dir}: the scanners would read earlier reports (which quote the secrets found); choose a directory outside it`);
  // Checked before anything is created in the scanned tree, then again through symbolic links.
  if (values.out !== undefined && isInside(resolve(values.out), dir)) throw insideDir(values.out);
  const out = resolve(values.out ?? mkdtempSync(join(tmpdir(), 'devsecops-scan-')));
  mkdirSync(out, { recursive: true });
  if (isInside(realpathSync(out), realpathSync(dir))) throw insideDir(out);
  return {
    gates,
    dir,
    out,
    failOn: failOn as Severity,
    suppressions,
    templates: values.templates,
    controlTowerRules: mustExist('--control-tower-rules', values['control-tower-rules']),
    guardRules: (values['guard-rules'] ?? []).map((p) => mustExist('--guard-rules', p)!),
    semgrepRules: (values['semgrep-rules'] ?? []).map((p) => mustExist('--semgrep-rules', p)!),
  };
}

function gateList(value: string | undefined): GateName[] {
  if (value === undefined) return [...GATE_NAMES];
  const names = value.split(',').map((g) => g.trim().toLowerCase()).filter((g) => g !== '');
  const bad = names.filter((g) => !(GATE_NAMES as readonly string[]).includes(g) && !(g in GATE_ALIASES));
  if (names.length === 0 || bad.length > 0) {
    throw new ScanError(`--gates "${value}": ${bad.length > 0 ? `unknown gate(s) ${bad.join(', ')}` : 'empty'}; use a comma-separated list of secrets, sast, sca, sbom, iac, dockerfile`);
  }
  const gates = names.map((g) => GATE_ALIASES[g] ?? g as GateName);
  return GATE_NAMES.filter((g) => gates.includes(g));
}

/** The first engine installed, in the gate's order of preference. */
function firstInstalled(gate: GateName, candidates: Array<{ name: string; invocation: ScannerInvocation }>, extra: Partial<Plan & { kind: 'run' }> = {}): Plan {
  const installed = candidates.find((c) => c.invocation.requires.every(onPath));
  if (!installed) return { kind: 'skip', reason: `no ${gate} scanner installed`, install: candidates.map((c) => c.name) };
  return { kind: 'run', engines: [installed], notes: candidates.filter((c) => c !== installed).map((c) => `${c.name} not used`), ...extra };
}

function planGate(gate: GateName, o: Options, gateDir: string): Plan {
  const reportDir = join(gateDir, 'reports');
  const workDir = join(gateDir, 'work');
  switch (gate) {
    case 'secrets':
      // Locally the files are scanned, not the history: a working tree is not a full clone the gate can rely on.
      return firstInstalled(gate, gateEngines('secrets').map((e) => ({
        name: e.id, invocation: e.invoke({ reportDir, workDir, history: false }),
      })), { evaluateArgs: ['--secret-severity', Severity.CRITICAL, '--secret-scan', 'files'] });
    case 'sast': {
      // As the gate's detection: each engine whose files are present; Semgrep (every language) only with rules given here.
      const applicable = gateEngines('sast').filter((e) => (e.covers ? coversFiles(o.dir, e.covers) : o.semgrepRules.length > 0));
      const notes = o.semgrepRules.length === 0 && onPath('semgrep')
        ? ['semgrep not run: give --semgrep-rules (e.g. the pipeline\'s rule set, shipped in this package\'s assets/semgrep-rules; rules are never downloaded)'] : [];
      const engines = applicable.map((e) => ({
        name: e.id,
        everyLanguage: e.covers === undefined,
        invocation: e.invoke({ reportDir, workDir, semgrepRules: o.semgrepRules }),
      }));
      const installed = engines.filter((e) => e.invocation.requires.every(onPath));
      // As the gate's detection: code no engine covers fails the gate as not analyzed (Semgrep covers every language).
      const notAnalyzed = installed.some((e) => e.everyLanguage) ? [] : uncoveredCode(o.dir);
      const notAnalyzedArgs = notAnalyzed.flatMap((x) => ['--not-analyzed', x]);
      if (applicable.length === 0) {
        if (notAnalyzed.length === 0) return { kind: 'skip', reason: `no SAST engine applies (${gateEngines('sast').map((e) => e.covers?.absent ?? 'no --semgrep-rules').join(', ')})`, install: [] };
        // An empty report of the detection itself, so that evaluate fails the gate on what it did not analyze.
        const file = join(reportDir, 'sast-detect.sarif');
        const detect: ScannerInvocation = { requires: [], steps: [{ kind: 'write', file, content: SAST_DETECT_SARIF }], report: { file, format: 'sarif' } };
        return { kind: 'run', engines: [{ name: 'sast-detect', invocation: detect }], notes: ['no SAST engine applies'], evaluateArgs: notAnalyzedArgs };
      }
      if (installed.length === 0) {
        return { kind: 'skip', reason: `no applicable SAST engine installed (${applicable.map((a) => a.id).join(', ')})`, install: applicable.map((a) => a.id) };
      }
      return {
        kind: 'run',
        engines: installed,
        notes: [...notes, ...engines.filter((e) => !installed.includes(e)).map((e) => `${e.name} not installed`)],
        evaluateArgs: notAnalyzedArgs,
      };
    }
    case 'dependencies':
    case 'sbom': {
      // The dependency scanners whose files are present, in the gate's order (cyclonedx-npm reads package-lock.json alone).
      const candidates = gateEngines(gate).filter((e) => !e.covers || coversFiles(o.dir, e.covers))
        .map((e) => ({ name: e.id, invocation: e.invoke({ reportDir, workDir, ignoreUnfixed: false }) }));
      return firstInstalled(gate, candidates, lockFileArgs(o.dir, workDir));
    }
    case 'iac':
      return planIac(o, reportDir, workDir);
    case 'dockerfile':
      return planDockerfile(o, reportDir, workDir);
  }
}

/** As the Dockerfile gate: the base image policy (in this process), trivy config and hadolint when installed. */
function planDockerfile(o: Options, reportDir: string, workDir: string): Plan {
  const files = findDockerfiles(o.dir);
  if (files.length === 0) return { kind: 'skip', reason: 'not applicable (no Dockerfile)', install: [] };
  const file = join(reportDir, 'base-images.json');
  const policy: ScannerInvocation = { requires: [], steps: [], report: { file, format: 'base-images' } };
  const scanners = gateEngines('dockerfile').map((e) => ({ name: e.id === 'trivy' ? 'trivy config' : e.id, invocation: e.invoke({ reportDir, workDir }) }));
  const installed = scanners.filter((s) => s.invocation.requires.every(onPath));
  const prepare = () => {
    try {
      const read = files.map((f) => ({ file: f, text: readFileSync(join(o.dir, f), 'utf8') }));
      const report = checkBaseImages(read, { allowed: DEFAULT_ALLOWED_BASE_IMAGES, requireDigest: true, buildArgs: new Map() });
      mkdirSync(reportDir, { recursive: true });
      writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    } catch (e) {
      if (e instanceof DockerfileError) throw new ScanError(`base-images: ${e.message}`);
      throw e;
    }
  };
  return {
    kind: 'run',
    engines: [{ name: 'base-images', invocation: policy }, ...installed],
    notes: scanners.filter((s) => !installed.includes(s)).map((s) => `${s.name} not installed`),
    prepare,
  };
}

function planIac(o: Options, reportDir: string, workDir: string): Plan {
  let templates: string[];
  if (o.templates !== undefined) {
    templates = globFiles(o.dir, o.templates);
    if (templates.length === 0) return { kind: 'error', reason: `--templates ${o.templates}: no file matches under ${o.dir}` };
  } else {
    const assembly = join(o.dir, 'cdk.out');
    if (!existsSync(assembly)) return { kind: 'skip', reason: 'no cdk.out under --dir (run cdk synth first, or give --templates)', install: [] };
    // Every template of the cloud assembly, nested Stages included, as the pipeline's IaC gate collects them.
    templates = globFiles(assembly, '**/*.template.json');
    if (templates.length === 0) return { kind: 'error', reason: `no *.template.json in ${assembly}: a broken synth, not a pass` };
  }
  // The templates are scanned where they are, so that findings name them by their repository path.
  // `./` first: a file name that starts with `-` is not read as an option.
  const templateFiles = templates.map((t) => (isInside(t, o.dir) ? `./${relative(o.dir, t)}` : t));
  const rulesDir = join(workDir, 'guard-rules');
  const ctDir = findControlTowerRules(o.controlTowerRules, o.dir);
  const guard = gateEngine('iac', 'cfn-guard').invoke({ reportDir, workDir, templateFiles, builtinRuleDirs: ctDir ? [rulesDir] : [], ruleFiles: o.guardRules });
  const checkov = gateEngine('iac', 'checkov').invoke({ reportDir, workDir, templateFiles });
  const guardHasRules = ctDir !== undefined || o.guardRules.length > 0;
  let engine: { name: string; invocation: ScannerInvocation } | undefined;
  if (guardHasRules && onPath('cfn-guard')) engine = { name: 'cfn-guard', invocation: guard };
  else if (checkov.requires.every(onPath)) engine = { name: 'checkov', invocation: checkov };
  // One reason: what is missing, and what would fix it.
  if (!engine && onPath('cfn-guard')) {
    return {
      kind: 'skip',
      reason: 'cfn-guard is installed but has no rules: install @cdklabs/cdk-validator-cfnguard (the Control Tower rules), or give --control-tower-rules or --guard-rules',
      install: [],
    };
  }
  if (!engine) return { kind: 'skip', reason: 'no IaC scanner installed', install: ['cfn-guard', 'checkov'] };
  const notes = engine.name === 'checkov' && onPath('cfn-guard') ? ['cfn-guard not run: no rules'] : [];
  const prepare = () => {
    if (engine!.name === 'cfn-guard' && ctDir) {
      mkdirSync(rulesDir, { recursive: true });
      for (const id of DEFAULT_CONTROL_TOWER_RULES) {
        const found = globFiles(ctDir, `**/${id}.guard`)[0];
        if (!found) throw new ScanError(`IaC: no Control Tower rule ${id} in ${ctDir}`);
        copyFileSync(found, join(rulesDir, `${id}.guard`));
      }
    }
  };
  return { kind: 'run', engines: [engine], notes, prepare };
}

function tail(text: string, max = 2000): string {
  const t = text.trim();
  return t.length > max ? `...${t.slice(-max)}` : t;
}

/** Runs one step in the scanned directory; undefined when it succeeded, else why not. */
function runStep(step: ScanStep, cwd: string): string | undefined {
  if (step.kind === 'write') {
    writeFileSync(step.file, `${step.content}\n`);
    return undefined;
  }
  const env = { ...process.env, NO_COLOR: '1' };
  if (step.kind === 'shell') {
    const r = spawnSync('bash', ['-c', step.script], { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (r.error) return `could not run bash: ${r.error.message}`;
    return r.status === 0 ? undefined : `exited ${r.status ?? r.signal}: ${tail(r.stderr + r.stdout)}`;
  }
  const [command, ...args] = step.argv.map(argValue);
  // A report on standard output goes straight to its file: no shell, no redirection to quote.
  const fd = step.stdout !== undefined ? openSync(step.stdout, 'w') : undefined;
  try {
    const r = spawnSync(command, args, { cwd, env: { ...env, ...step.env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', fd ?? 'pipe', 'pipe'] });
    if (r.error) return `could not run ${command}: ${r.error.message}`;
    if (r.status === 0 || (r.status !== null && r.status === step.okExitCode)) return undefined;
    return `${command} exited ${r.status ?? r.signal}: ${tail(`${r.stderr ?? ''}${r.stdout ?? ''}`)}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Runs a gate's scanners and evaluate; the gate's outcome. */
async function runGate(gate: GateName, plan: Plan & { kind: 'run' }, o: Options, gateDir: string, run: RunCommand, io: Io): Promise<GateOutcome> {
  const tools = plan.engines.map((e) => e.name).join(', ');
  io.out(`scan ${gate}: running ${tools}${plan.notes.length > 0 ? ` (${plan.notes.join('; ')})` : ''}\n`);
  const reports: string[] = [];
  try {
    plan.prepare?.();
    for (const e of plan.engines) {
      mkdirSync(join(gateDir, 'reports'), { recursive: true });
      mkdirSync(join(gateDir, 'work'), { recursive: true });
      for (const step of e.invocation.steps) {
        const problem = runStep(step, o.dir);
        if (problem !== undefined) return { gate, outcome: 'ERROR', detail: `${e.name} failed: ${problem}` };
      }
      // A scanner that exits cleanly but writes nothing has not scanned: fail closed.
      if (!existsSync(e.invocation.report.file)) return { gate, outcome: 'ERROR', detail: `${e.name} wrote no report (${e.invocation.report.file})` };
      reports.push('--report', `${e.invocation.report.file}:${e.invocation.report.format}`);
    }
  } catch (err) {
    if (err instanceof ScanError) return { gate, outcome: 'ERROR', detail: err.message };
    throw err;
  }
  const code = await run([
    // --source-root: the scanners' absolute paths are reported relative to the scanned directory.
    'evaluate', '--gate', gate, ...reports, '--fail-on', o.failOn, '--source-root', o.dir,
    ...(o.suppressions !== undefined ? ['--suppressions', o.suppressions] : []),
    ...(plan.evaluateArgs ?? []),
    '--out', gateDir,
  ], io);
  if (code === 0) return { gate, outcome: 'PASSED', detail: tools, dir: gateDir };
  if (code === 1) return { gate, outcome: 'FAILED', detail: tools, dir: gateDir };
  return { gate, outcome: 'ERROR', detail: `evaluate could not decide on ${tools}'s report (exit ${code}; see above)` };
}

/** Runs `scan`; resolves to the exit code. */
export async function scan(args: string[], io: Io, run: RunCommand): Promise<number> {
  let o: Options;
  try {
    o = parse(args);
  } catch (e) {
    if (!(e instanceof ScanError)) throw e;
    io.err(`devsecops-findings scan: ${e.message}\nRun devsecops-findings --help for usage.\n`);
    return 2;
  }
  io.out(`scan: ${o.dir}; outputs in ${o.out}\n`);

  const outcomes: GateOutcome[] = [];
  const toInstall = new Set<string>();
  for (const gate of o.gates) {
    const gateDir = join(o.out, gate);
    // Stale outputs of an earlier run must never stand in for this one.
    rmSync(gateDir, { recursive: true, force: true });
    const plan = planGate(gate, o, gateDir);
    if (plan.kind === 'skip') {
      plan.install.forEach((t) => toInstall.add(t));
      io.out(`scan ${gate}: SKIPPED: ${plan.reason}${plan.install.length > 0 ? ` (install ${plan.install.join(' or ')})` : ''}\n`);
      outcomes.push({ gate, outcome: 'SKIPPED', detail: plan.install.length > 0 ? `${plan.reason}: install ${plan.install.join(' or ')}` : plan.reason });
    } else if (plan.kind === 'error') {
      io.err(`devsecops-findings scan: ${gate}: ${plan.reason}\n`);
      outcomes.push({ gate, outcome: 'ERROR', detail: plan.reason });
    } else {
      const r = await runGate(gate, plan, o, gateDir, run, io);
      if (r.outcome === 'ERROR') io.err(`devsecops-findings scan: ${gate}: ${r.detail}\n`);
      outcomes.push(r);
    }
  }

  const evaluated = outcomes.filter((r) => r.dir !== undefined);
  if (evaluated.length > 0) {
    const file = join(o.out, 'summary.md');
    const code = await run(['summary', ...evaluated.flatMap((r) => ['--in', r.dir!]), '--out', file, '--title', 'Security gates (local scan)'], io);
    if (code === 2) return 2;
    const lines = [
      '',
      '## Local scan: every gate',
      '',
      'A SKIPPED gate was not checked at all: it did not pass.',
      '',
      '| Gate | Status | Scanner or reason |',
      '|---|---|---|',
      ...outcomes.map((r) => `| ${r.gate} | ${r.outcome === 'FAILED' || r.outcome === 'ERROR' ? `**${r.outcome}**` : r.outcome} | ${r.detail.replace(/\s+/g, ' ').replace(/[|\\`*_[\]<>#!]/g, (c) => `\\${c}`).slice(0, 300)} |`),
    ];
    writeFileSync(file, `${readFileSync(file, 'utf8')}${lines.join('\n')}\n`);
    io.out(`\n${readFileSync(file, 'utf8')}\n`);
  }

  for (const r of outcomes) io.out(`${r.gate}: ${r.outcome}${r.outcome === 'PASSED' || r.outcome === 'FAILED' ? ` (${r.detail})` : `: ${r.detail}`}\n`);
  if (outcomes.some((r) => r.outcome === 'ERROR')) return 2;
  if (evaluated.length === 0) {
    io.err(`devsecops-findings scan: no gate could run: no scanner is installed for ${o.gates.join(', ')}.${toInstall.size > 0 ? ` Install one of: ${[...toInstall].join(', ')}.` : ''}\n`);
    return 2;
  }
  return outcomes.some((r) => r.outcome === 'FAILED') ? 1 : 0;
}
