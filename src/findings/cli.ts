#!/usr/bin/env node
import { existsSync, mkdirSync, statSync } from 'fs';
import { join, resolve } from 'path';
import { parseArgs } from 'util';
import { BASE_IMAGES_HELP, baseImages } from './base-images';
import { BaselineError, parseBaseline } from './baseline';
import { Io } from './cli-io';
import { ECR_SCAN_HELP, ecrScanFindings } from './ecr-scan-cli';
import { InputFileError, inputRoots, readInputFile } from './input-file';
import { mergeFindings } from './merge';
import { describeOutputError, OutputPathError, prepareOutputDir, prepareOutputFile } from './output-path';
import { loadReport, LoadedReport } from './parsers';
import { policies, POLICIES_HELP } from './policies-cli';
import { countDecision, evaluateGate, GateEvaluation, toolSuppressedNotAccepted } from './policy';
import { posture, POSTURE_HELP } from './posture-cli';
import { proactive, PROACTIVE_HELP } from './proactive';
import { parseToolVersions } from './tool-versions';
import { Finding, ToolRef } from '../model/finding';
import { writeAsff } from './reporters/asff';
import { CODEBUILD_MAX_TEST_CASES, writeJUnit } from './reporters/junit';
import { writeMarkdown } from './reporters/markdown';
import { GateResult, GateResultError, gateResultHead, parseGateResult, ReportBrief, SecretScanScope, writeGateResult } from './reporters/result';
import { writeSarif } from './reporters/sarif';
import { writeFileWith } from './reporters/sink';
import { scan, SCAN_HELP } from './scan';
import {
  daysBetween,
  DEFAULT_HORIZON_DAYS,
  DEFAULT_SUPPRESSIONS_FILE,
  describeProblem,
  isoDay,
  noSuppressions,
  parseSuppressions,
  SuppressionFileError,
  SuppressionSet,
} from './suppressions';
import { DEFAULT_FAIL_ON } from '../model/gates';
import { Severity, SEVERITY_ORDER } from '../model/severity';

/** Exit codes: documented in `--help` and relied on by every gate's build spec. */
export const EXIT_PASS = 0;
export const EXIT_BLOCKING = 1;
export const EXIT_USAGE = 2;

export const OUTPUT_FILES = {
  junit: 'junit.xml',
  sarif: 'findings.sarif',
  summary: 'summary.md',
  asff: 'asff.json',
  result: 'gate-result.json',
} as const;

const HELP = `devsecops-findings: the findings engine every security gate reports through.
(The package installs it under its own name too: cdk-devsecops-pipeline; npx cdk-devsecops-pipeline scan .)

Usage:
  devsecops-findings evaluate --gate NAME --report FILE[:FORMAT] [--report ...] --out DIR [options]
  devsecops-findings summary --in DIR [--in DIR ...] --out FILE
  devsecops-findings notice --in DIR [--in DIR ...] --out FILE [--link URL]
  devsecops-findings scan [DIR] [--gates secrets,sast,sca,sbom,iac,dockerfile] [--fail-on SEV]
                          [--suppressions FILE] [--out DIR] [--templates GLOB]
  devsecops-findings posture --before FILE --assembly DIR --out DIR
  devsecops-findings proactive --assembly DIR --stage-assembly ID --stage NAME --resource-type TYPE [...] --out FILE
  devsecops-findings base-images (--dockerfile FILE ... | --discover) [--allow PATTERN ...]
                          [--allow-unpinned] [--build-arg NAME=VALUE ...] --report FILE
  devsecops-findings --help

evaluate: parses the scanners' reports, applies the gate's policy and writes to --out DIR:
  ${OUTPUT_FILES.junit} (CodeBuild report group), ${OUTPUT_FILES.sarif} (merged SARIF 2.1.0), ${OUTPUT_FILES.summary},
  ${OUTPUT_FILES.asff} (Security Hub ASFF, batches of at most 100, findings at or above --fail-on) and ${OUTPUT_FILES.result} (read by \`summary\`).
  --gate NAME               gate name (letters, digits, . _ -)
  --report FILE[:FORMAT]    a scanner report; FORMAT forces a parser (e.g. sarif, trivy, gitleaks),
                            otherwise the format is detected. Repeatable; at least one. An empty
                            file fails, except with FORMAT trufflehog (its clean output is empty).
  --fail-on SEVERITY        CRITICAL, HIGH, MEDIUM, LOW or INFO: a finding at or above it blocks (default HIGH)
  --suppressions FILE       suppressions file (default ${DEFAULT_SUPPRESSIONS_FILE} when it exists;
                            a file named explicitly must exist)
  --expiry-horizon DAYS     furthest a suppression may expire ahead of today (default ${DEFAULT_HORIZON_DAYS})
  --baseline FILE           fingerprints that do not block: a previous ${OUTPUT_FILES.result}, ${OUTPUT_FILES.sarif},
                            a JSON array, or one fingerprint per line. A CVE that two tools report is one
                            finding with both tools' fingerprints: a baseline or suppression naming either matches
  --secret-severity SEV     severity of secret scanners' findings (default CRITICAL)
  --secret-scan SCOPE       history or files: what the secret scanner covered, shown in the summary
  --tool-version NAME=VALUE a version the gate ran with that is not pinned exactly (apt revision,
                            database digest), recorded in ${OUTPUT_FILES.result} and the summary. Repeatable
  --not-analyzed TEXT       code the gate's scanners did not cover (e.g. "Go (12 files)"); repeatable.
                            Any fails the gate (exit 1), listed in the summary, JUnit and gate result
  --not-analyzed-file FILE  the same, one per line (blank lines ignored); the file must exist
  --lock-files-from FILE    the repository's lock files, one per line, as the gate found them: then a
                            dependency report (trivy JSON, CycloneDX) that inventoried nothing (no
                            Results, no components) is code not analyzed and fails the gate
  --source-root DIR         the scanned repository: absolute paths under it are reported relative
                            to it (default CODEBUILD_SRC_DIR, else the working directory)
  --aws-account-id ID, --aws-region REGION, --product-arn ARN, --asff-id-prefix PREFIX
  --asff-min-severity SEV   least serious severity exported to ASFF (default: --fail-on)
                            Security Hub fields (defaults from CODEBUILD_BUILD_ARN and AWS_REGION)
  --junit-max-cases N       most test cases in ${OUTPUT_FILES.junit} (default ${CODEBUILD_MAX_TEST_CASES}, what a CodeBuild report
                            keeps): the most serious findings are listed, the rest counted in one case

summary: merges several gates' ${OUTPUT_FILES.result} into one Markdown summary (for the approval step).
  --in DIR                  an evaluate --out directory; repeatable. A directory without a result fails.
  --out FILE                the Markdown file to write
  --title TEXT              heading (default "Security gates")
  The summary lists every gate's status and counts, its blocking and suppressed findings, and
  every gate's suppressions expiring within 14 days in one list.

notice: what a gate's build tells the pipeline's notifications topic: for each gate that blocked,
  its blocking count; for each suppression expiring within 14 days, the entry, its date and owner.
  Writes an empty --out FILE when there is nothing to tell (the build then publishes nothing).
  --in DIR                  an evaluate --out directory; repeatable. A directory without a result is
                            skipped (the pipeline reports that build's failure itself).
  --out FILE                the plain-text message to write
  --link URL                where the results are, appended to a non-empty message

${SCAN_HELP}

${POSTURE_HELP}

${PROACTIVE_HELP}

${BASE_IMAGES_HELP}

${POLICIES_HELP}


${ECR_SCAN_HELP}

Exit codes:
  0  pass: no blocking finding (evaluate), every gate passed (summary)
  1  blocking findings or code not analyzed (evaluate), at least one gate failed (summary)
  2  usage error or bad input: unknown option, a report that is missing, empty, truncated,
     unparsable or not of the forced format, an unusable suppressions or baseline file,
     a gate directory without a result. Nothing passes on a bad input (fail closed).
     Also exit 2: a report, suppressions file or baseline that is not a regular file (a FIFO, a
     device, a symlink out of the repository), duplicate JSON keys or a key in another case than
     the format's, a scanner that says it did not complete (SARIF executionSuccessful not true,
     an exit code or signal; checkov parsing_errors), and an --out path that cannot be written.
`;

const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

class UsageError extends Error {}

function severityArg(name: string, value: string | undefined, dflt: Severity): Severity {
  if (value === undefined) return dflt;
  const s = value.trim().toUpperCase();
  if (!(SEVERITY_ORDER as readonly string[]).includes(s)) {
    throw new UsageError(`--${name} "${value}" is not a severity; use one of ${SEVERITY_ORDER.join(', ')}`);
  }
  return s as Severity;
}

/** `FILE[:FORMAT]`: a suffix that looks like a format name (no dot or slash) is the forced format. */
export function parseReportSpec(spec: string): { file: string; format?: string } {
  if (existsSync(spec)) return { file: spec };
  const m = /^(.+):([a-z][a-z0-9_-]*)$/i.exec(spec);
  if (m && !/^[a-z]$/i.test(m[1])) return { file: m[1], format: m[2].toLowerCase() };
  return { file: spec };
}

// Suppressions files and baselines are small: a larger file is no such file (nor /dev/zero behind a symlink).
const MAX_INPUT_TEXT_BYTES = 64 * 1024 * 1024;

function readText(file: string, what: string, roots?: readonly string[]): string {
  try {
    // Regular files only: no FIFO, device or symlink out of the repository (see input-file.ts).
    return readInputFile(file, what, { maxBytes: MAX_INPUT_TEXT_BYTES, roots }).toString('utf8');
  } catch (e) {
    if (e instanceof InputFileError) {
      throw new UsageError(/ not found$/.test(e.problem) ? `${file}: ${what} does not exist` : e.message);
    }
    throw new UsageError(`${file}: ${what} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

function accountFromEnv(): { account?: string; region?: string } {
  const arn = process.env.CODEBUILD_BUILD_ARN;
  const m = arn ? /^arn:[^:]+:codebuild:([^:]+):(\d{12}):/.exec(arn) : null;
  return {
    account: m?.[2] ?? process.env.AWS_ACCOUNT_ID,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? m?.[1],
  };
}

function loadSuppressions(explicit: string | undefined, horizonDays: number, io: Io, roots?: readonly string[]): SuppressionSet {
  const file = explicit ?? DEFAULT_SUPPRESSIONS_FILE;
  if (explicit === undefined && !existsSync(file)) return noSuppressions(`${DEFAULT_SUPPRESSIONS_FILE} (not present)`);
  const set = parseSuppressions(readText(file, 'suppressions file', roots), file, { horizonDays });
  for (const p of set.malformed) io.err(`warning: ${describeProblem(file, p)} (this entry does not suppress anything)\n`);
  for (const s of set.expired) io.err(`warning: ${file}: entry ${s.label}: field "expires": expired on ${s.expires} (this entry no longer suppresses anything)\n`);
  return set;
}

async function loadAll(specs: readonly string[], secretSeverity: Severity, sourceRoot: string | undefined): Promise<LoadedReport[]> {
  const loaded: LoadedReport[] = [];
  const problems: string[] = [];
  // One at a time: a 200 MB report must not share the heap with three others.
  for (const spec of specs) {
    const { file, format } = parseReportSpec(spec);
    try {
      loaded.push(await loadReport(file, { ...(format !== undefined && { format }), secretSeverity, sourceRoot }));
    } catch (e) {
      const msg = (e as Error).message ?? String(e);
      problems.push(msg.includes(file) ? msg : `${file}: ${msg}`);
    }
  }
  if (problems.length > 0) throw new BadInputError(problems);
  return loaded;
}

class BadInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

function toolsOf(reports: LoadedReport[]): ToolRef[] {
  const tools: ToolRef[] = [];
  for (const r of reports) {
    const list = r.tools.length > 0 ? r.tools : [{ name: r.format }];
    for (const t of list) if (!tools.some((x) => x.name === t.name)) tools.push(t);
  }
  return tools;
}

async function evaluate(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      'gate': { type: 'string' },
      'report': { type: 'string', multiple: true },
      'fail-on': { type: 'string' },
      'suppressions': { type: 'string' },
      'expiry-horizon': { type: 'string' },
      'baseline': { type: 'string' },
      'secret-severity': { type: 'string' },
      'secret-scan': { type: 'string' },
      'tool-version': { type: 'string', multiple: true },
      'source-root': { type: 'string' },
      'not-analyzed': { type: 'string', multiple: true },
      'not-analyzed-file': { type: 'string' },
      'lock-files-from': { type: 'string' },
      'out': { type: 'string' },
      'aws-account-id': { type: 'string' },
      'aws-region': { type: 'string' },
      'product-arn': { type: 'string' },
      'asff-id-prefix': { type: 'string' },
      'asff-min-severity': { type: 'string' },
      'junit-max-cases': { type: 'string' },
    },
  });
  const gate = values.gate;
  if (!gate) throw new UsageError('--gate NAME is required');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(gate)) throw new UsageError(`--gate "${gate}": use 1 to 64 letters, digits, ".", "_" or "-"`);
  const reports = values.report ?? [];
  if (reports.length === 0) throw new UsageError('at least one --report FILE[:FORMAT] is required (a gate without a report fails closed)');
  if (!values.out) throw new UsageError('--out DIR is required');
  const failOn = severityArg('fail-on', values['fail-on'], DEFAULT_FAIL_ON);
  const secretSeverity = severityArg('secret-severity', values['secret-severity'], Severity.CRITICAL);
  const asffMinSeverity = severityArg('asff-min-severity', values['asff-min-severity'], failOn);
  const secretScan = values['secret-scan'];
  if (secretScan !== undefined && secretScan !== 'history' && secretScan !== 'files') {
    throw new UsageError(`--secret-scan "${secretScan}": use "history" or "files"`);
  }
  let toolVersions: Record<string, string>;
  try {
    toolVersions = parseToolVersions(values['tool-version'] ?? []);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const sourceRoot = values['source-root'] !== undefined ? resolve(values['source-root']) : undefined;
  if (sourceRoot !== undefined && !(existsSync(sourceRoot) && statSync(sourceRoot).isDirectory())) throw new UsageError(`--source-root "${values['source-root']}": not a directory`);
  let horizonDays = DEFAULT_HORIZON_DAYS;
  if (values['expiry-horizon'] !== undefined) {
    horizonDays = Number(values['expiry-horizon']);
    if (!/^\d+$/.test(values['expiry-horizon']) || horizonDays < 1) throw new UsageError(`--expiry-horizon "${values['expiry-horizon']}": use a whole number of days >= 1`);
  }
  let junitMaxCases = CODEBUILD_MAX_TEST_CASES;
  if (values['junit-max-cases'] !== undefined) {
    junitMaxCases = Number(values['junit-max-cases']);
    if (!/^\d+$/.test(values['junit-max-cases']) || junitMaxCases < 1) {
      throw new UsageError(`--junit-max-cases "${values['junit-max-cases']}": use a whole number of test cases >= 1`);
    }
  }
  const env = accountFromEnv();
  const account = values['aws-account-id'] ?? env.account;
  if (account !== undefined && !/^\d{12}$/.test(account)) throw new UsageError(`--aws-account-id "${account}" is not a 12-digit AWS account id`);
  const region = values['aws-region'] ?? env.region;

  // Before any report is read: a bad output path is one line and exit 2.
  prepareOutputDir(values.out);
  const inputs = inputRoots([sourceRoot]);
  const notAnalyzed = [
    ...(values['not-analyzed'] ?? []),
    ...(values['not-analyzed-file'] !== undefined ? readText(values['not-analyzed-file'], 'not-analyzed file', inputs).split(/\r?\n/) : []),
  ].map((x) => x.trim()).filter((x) => x !== '');
  const lockFiles = values['lock-files-from'] !== undefined
    ? readText(values['lock-files-from'], 'lock files list', inputs).split(/\r?\n/).map((x) => x.trim()).filter((x) => x !== '')
    : [];

  const suppressions = loadSuppressions(values.suppressions, horizonDays, io, inputs);
  const baseline = values.baseline !== undefined ? parseBaseline(readText(values.baseline, 'baseline file', inputs), values.baseline) : undefined;

  const evaluation = await runGate({
    gate,
    reports,
    out: values.out,
    failOn,
    secretSeverity,
    asffMinSeverity,
    junitMaxCases,
    ...(secretScan !== undefined && { secretScan: secretScan as SecretScanScope }),
    ...(Object.keys(toolVersions).length > 0 && { toolVersions }),
    ...(sourceRoot !== undefined && { sourceRoot }),
    suppressions,
    ...(baseline && { baseline }),
    ...(notAnalyzed.length > 0 && { notAnalyzed }),
    ...(lockFiles.length > 0 && { lockFiles }),
    ...(account !== undefined && { awsAccountId: account }),
    ...(region !== undefined && { region }),
    ...(values['product-arn'] !== undefined && { productArn: values['product-arn'] }),
    ...(values['asff-id-prefix'] !== undefined && { asffIdPrefix: values['asff-id-prefix'] }),
  }, io);
  printOutcome(evaluation, values.out, io);
  return evaluation.status === 'pass' ? EXIT_PASS : EXIT_BLOCKING;
}

/** One gate's run, its arguments read and checked: what `evaluate` does. */
export interface GateRun {
  readonly gate: string;
  /** `FILE[:FORMAT]` specs. */
  readonly reports: readonly string[];
  /** Output directory. */
  readonly out: string;
  readonly failOn: Severity;
  readonly secretSeverity: Severity;
  readonly asffMinSeverity: Severity;
  /** Most test cases in the JUnit report. @default CODEBUILD_MAX_TEST_CASES */
  readonly junitMaxCases?: number;
  readonly secretScan?: SecretScanScope;
  /** Versions recorded in the gate result (`--tool-version`). */
  readonly toolVersions?: Readonly<Record<string, string>>;
  /** The scanned repository's absolute path. @default CODEBUILD_SRC_DIR, else the working directory */
  readonly sourceRoot?: string;
  readonly suppressions: SuppressionSet;
  readonly baseline?: ReadonlySet<string>;
  /** Code the gate's scanners did not cover: any entry fails the gate. */
  readonly notAnalyzed?: readonly string[];
  /** The repository's lock files: a dependency report that inventoried nothing then fails the gate. */
  readonly lockFiles?: readonly string[];
  readonly awsAccountId?: string;
  readonly region?: string;
  readonly productArn?: string;
  readonly asffIdPrefix?: string;
}

/**
 * Loads the reports, merges, evaluates and writes every output. Exported for the benchmark, which
 * times exactly this (`phase` is called after each step with its name).
 */
export async function runGate(run: GateRun, io: Io, phase: (name: string) => void = () => undefined): Promise<GateEvaluation> {
  const { gate, out, suppressions } = run;
  const loaded = await loadAll(run.reports, run.secretSeverity, run.sourceRoot);
  const tools = toolsOf(loaded);
  const briefs: ReportBrief[] = loaded.map((r) => ({
    file: r.file,
    format: r.format,
    tools: r.tools.map((t) => t.name),
    findings: r.findings.length,
  }));
  const notAnalyzed = [...(run.notAnalyzed ?? []), ...emptyInventories(loaded, run.lockFiles ?? [])];
  let all: Finding[] = [];
  for (const r of loaded) for (const f of r.findings) all.push(f);
  loaded.length = 0;
  phase('load');
  // The same problem reported twice (two tools, or one tool twice) is one finding listing both.
  const findings = mergeFindings(all);
  all = [];
  phase('merge');

  const evaluation = evaluateGate(findings, {
    gate, failOn: run.failOn, suppressions, ...(run.baseline && { baseline: run.baseline }), ...(notAnalyzed.length > 0 && { notAnalyzed }),
  });
  for (const s of evaluation.suppressions.unused) {
    io.err(`warning: ${suppressions.file}: entry ${s.label} matched no finding of gate ${gate} (remove it if the finding is gone)\n`);
  }
  phase('evaluate');

  mkdirSync(out, { recursive: true });
  const resultOptions = {
    reports: briefs,
    ...(run.secretScan !== undefined && { secretScan: run.secretScan }),
    ...(run.toolVersions && { toolVersions: run.toolVersions }),
  };
  if (run.awsAccountId === undefined || run.region === undefined) {
    io.err(`warning: ${OUTPUT_FILES.asff}: no AWS account or region known (CODEBUILD_BUILD_ARN, AWS_REGION or --aws-account-id/--aws-region); placeholders used\n`);
  }

  const junitOptions = { tools: tools.map((t) => t.name), ...(run.junitMaxCases !== undefined && { maxCases: run.junitMaxCases }) };
  writeFileWith(join(out, OUTPUT_FILES.junit), (sink) => writeJUnit(evaluation, junitOptions, sink));
  phase('junit');
  writeFileWith(join(out, OUTPUT_FILES.sarif), (sink) => writeSarif(evaluation, { tools }, sink));
  phase('sarif');
  writeFileWith(join(out, OUTPUT_FILES.asff), (sink) => writeAsff(evaluation, {
    awsAccountId: run.awsAccountId ?? '000000000000',
    region: run.region ?? 'us-east-1',
    ...(run.productArn !== undefined && { productArn: run.productArn }),
    ...(run.asffIdPrefix !== undefined && { idPrefix: run.asffIdPrefix }),
    minSeverity: run.asffMinSeverity,
  }, sink));
  phase('asff');
  const head = gateResultHead(evaluation, resultOptions) as GateResult;
  writeFileWith(join(out, OUTPUT_FILES.summary), (sink) => writeMarkdown([head], sink, { title: `Security gate ${gate}` }));
  phase('markdown');
  // Written last: `summary` treats a directory without it as a gate that did not finish.
  writeFileWith(join(out, OUTPUT_FILES.result), (sink) => writeGateResult(evaluation, resultOptions, sink, head));
  phase('gate-result');
  return evaluation;
}

/**
 * A dependency report that inventoried nothing (trivy without Results, an SBOM without components)
 * while the repository has lock files has not analyzed them: one "not analyzed" line per report.
 */
function emptyInventories(loaded: readonly LoadedReport[], lockFiles: readonly string[]): string[] {
  if (lockFiles.length === 0) return [];
  const shown = lockFiles.slice(0, 5).join(', ') + (lockFiles.length > 5 ? `, and ${lockFiles.length - 5} more` : '');
  return loaded
    .filter((r) => r.inventory === 0)
    .map((r) => `lock files ${shown}: ${r.file} (${r.format}) lists no ${r.format === 'cyclonedx' ? 'component' : 'package or target'}`);
}

function printOutcome(e: GateEvaluation, out: string, io: Io): void {
  const blocking = countDecision(e, 'blocking');
  const total = e.decisions.length;
  const parts = [
    `${countDecision(e, 'suppressed')} suppressed`,
    `${e.decisions.filter(toolSuppressedNotAccepted).length} suppressed by the tool, not accepted`,
    `${countDecision(e, 'below-threshold')} below ${e.failOn}`,
    ...(e.baselineApplied ? [`${countDecision(e, 'baseline')} in baseline`] : []),
  ];
  for (const what of e.notAnalyzed) io.out(`gate ${e.gate}: not analyzed: ${what}\n`);
  io.out(`gate ${e.gate}: ${e.status === 'pass' ? 'PASS' : 'FAIL'}: ${e.notAnalyzed.length > 0 ? `${e.notAnalyzed.length} not analyzed, ` : ''}${blocking} blocking finding(s) at or above ${e.failOn} of ${total} (${parts.join(', ')}); reports in ${out}\n`);
  let shown = 0;
  for (const d of e.decisions) {
    if (d.decision !== 'blocking') continue;
    if (shown === 20) {
      io.out(`  ... and ${blocking - shown} more (see ${join(out, OUTPUT_FILES.summary)})\n`);
      break;
    }
    const f = d.finding;
    const where = f.location ? `${f.location.file}${f.location.startLine ? `:${f.location.startLine}` : ''}${f.location.outsideRepository ? ' (outside the repository)' : ''}` : f.resource?.id ?? f.package?.name ?? '';
    const expired = d.expiredSuppression ? ` [suppression ${d.expiredSuppression.label} expired on ${d.expiredSuppression.expires}]` : '';
    io.out(`  ${f.severity} ${f.ruleId} ${where}: ${f.title.replace(/\s+/g, ' ').slice(0, 120)}${expired}\n`);
    shown++;
  }
}

/** `--in DIR ... --out FILE` and one optional string option (summary's --title, notice's --link); the output file prepared. */
function inOutArgs(args: string[], extra: string): { dirs: string[]; out: string; extra?: string } {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      in: { type: 'string', multiple: true },
      out: { type: 'string' },
      [extra]: { type: 'string' },
    },
  });
  const dirs = (values.in ?? []) as string[];
  if (dirs.length === 0) throw new UsageError('at least one --in DIR is required');
  if (!values.out) throw new UsageError('--out FILE is required');
  const out = values.out as string;
  prepareOutputFile(out);
  return { dirs, out, extra: values[extra] as string | undefined };
}

function summary(args: string[], io: Io): number {
  const { dirs, out, extra: title } = inOutArgs(args, 'title');
  const results = readResults(dirs, 'fail', io);
  writeFileWith(out, (sink) => writeMarkdown(results, sink, { overview: true, ...(title !== undefined && { title }) }));
  const failed = results.filter((r) => r.status === 'fail').map((r) => r.gate);
  io.out(failed.length === 0 ? `all ${results.length} gate(s) passed; summary in ${out}\n` : `gate(s) failed: ${failed.join(', ')}; summary in ${out}\n`);
  return failed.length === 0 ? EXIT_PASS : EXIT_BLOCKING;
}

/** Most lines of a notice: a message is read on a phone, the summary has the rest. */
const NOTICE_MAX_LINES = 40;

/** The plain-text notice of some gates' results: blocked gates with their count, suppressions expiring soon. */
export function noticeText(results: readonly GateResult[], link?: string, now: Date = new Date()): string {
  const today = isoDay(now);
  const oneLine = (t: string | undefined) => (t ?? '').replace(/\s+/g, ' ').trim().slice(0, 200);
  const lines: string[] = [];
  for (const r of results) {
    if (r.status !== 'fail') continue;
    const notAnalyzed = r.notAnalyzed?.length ?? 0;
    lines.push(`Gate ${r.gate} BLOCKED: ${countBlocking(r)} blocking finding(s) at or above ${r.failOn}${notAnalyzed > 0 ? `, ${notAnalyzed} not analyzed` : ''}.`);
  }
  for (const r of results) {
    for (const s of r.suppressions.expiringSoon) {
      const left = daysBetween(today, s.expires);
      lines.push(`Gate ${r.gate}: suppression ${oneLine(s.label)} expires on ${s.expires} (${left <= 0 ? 'today' : `in ${left} day(s)`})${s.owner ? `, owner ${oneLine(s.owner)}` : ''}: ${oneLine(s.reason)}. Review or renew it.`);
    }
  }
  if (lines.length === 0) return '';
  const shown = lines.length > NOTICE_MAX_LINES ? [...lines.slice(0, NOTICE_MAX_LINES), `... and ${lines.length - NOTICE_MAX_LINES} more.`] : lines;
  return `${[...shown, ...(link ? [`Results: ${link}`] : [])].join('\n')}\n`;
}

function countBlocking(r: GateResult): number {
  return SEVERITY_ORDER.reduce((n, s) => n + r.counts.blocking[s], 0);
}

function readResults(dirs: readonly string[], missing: 'fail' | 'skip', io: Io): GateResult[] {
  const results: GateResult[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    const file = join(dir, OUTPUT_FILES.result);
    if (!existsSync(file)) {
      if (missing === 'skip') {
        io.err(`${dir}: no ${OUTPUT_FILES.result}; nothing to tell about this gate (the pipeline reports the failed build)\n`);
      } else {
        problems.push(`${dir}: no ${OUTPUT_FILES.result} (the gate did not run or did not finish); failing closed`);
      }
      continue;
    }
    try {
      // A regular file only, like every input (see input-file.ts).
      results.push(parseGateResult(readInputFile(file, OUTPUT_FILES.result).toString('utf8'), file));
    } catch (e) {
      problems.push(e instanceof GateResultError || e instanceof InputFileError ? e.message : `${file}: ${(e as Error).message}`);
    }
  }
  if (problems.length > 0) throw new BadInputError(problems);
  return results;
}

function notice(args: string[], io: Io): number {
  const { dirs, out, extra: link } = inOutArgs(args, 'link');
  const text = noticeText(readResults(dirs, 'skip', io), link);
  writeFileWith(out, (sink) => sink.write(text));
  io.out(text === '' ? 'nothing to notify\n' : `notice written to ${out}\n`);
  return EXIT_PASS;
}

/** Runs the CLI; resolves to the exit code. Never resolves to 0 on an error. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.out(HELP);
      return command === undefined ? EXIT_USAGE : EXIT_PASS;
    }
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(HELP);
      return EXIT_PASS;
    }
    if (command === 'evaluate') return await evaluate(rest, io);
    if (command === 'summary') return summary(rest, io);
    if (command === 'posture') return posture(rest, io);
    if (command === 'proactive') return await proactive(rest, io);
    if (command === 'notice') return notice(rest, io);
    if (command === 'base-images') return baseImages(rest, io);
    if (command === 'policies') return policies(rest, io);
    if (command === 'ecr-scan-findings') return await ecrScanFindings(rest, io);
    // scan runs evaluate and summary through main: the same code and outputs, in this process.
    if (command === 'scan') return await scan(rest, io, main);
    throw new UsageError(`unknown command "${command}"; use evaluate, summary, notice, scan, posture, proactive, base-images, policies or ecr-scan-findings`);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`devsecops-findings ${command}: ${e.message}\nRun devsecops-findings --help for usage.\n`);
    } else if (e instanceof BadInputError) {
      for (const p of e.problems) io.err(`devsecops-findings ${command}: ${p}\n`);
    } else if (e instanceof SuppressionFileError || e instanceof BaselineError || e instanceof OutputPathError) {
      io.err(`devsecops-findings ${command}: ${e.message}\n`);
    } else if (describeOutputError(e) !== undefined) {
      // A file system error (a write that failed): one line, no stack trace.
      io.err(`devsecops-findings ${command}: ${describeOutputError(e)}\n`);
    } else if ((e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`devsecops-findings ${command}: ${(e as Error).message}\nRun devsecops-findings --help for usage.\n`);
    } else {
      // Anything unexpected is still a failed gate, never a pass.
      io.err(`devsecops-findings ${command}: internal error: ${(e as Error).stack ?? String(e)}\n`);
    }
    return EXIT_USAGE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`devsecops-findings: ${String(e)}\n`);
      process.exitCode = EXIT_USAGE;
    },
  );
}
