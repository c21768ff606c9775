/**
 * Benchmark (`npm run bench:findings`; not a test): the findings engine on ~100 MB reports.
 *
 * For a generated SARIF log (200,000+ results) and a generated trivy JSON report (vulnerabilities shaped
 * like the fixtures' real ones, ~55,000) of about 100 MB each, plus, as a stress figure without a
 * target, a trivy report three times denser than real ones (~217,000 short vulnerabilities):
 * - time of `runGate`, exactly what `devsecops-findings evaluate` runs after reading its arguments
 *   (load and parse the report, merge, evaluate, write every report in full), in process, against a
 *   bare `JSON.parse(readFileSync(file, 'utf8'))` of the same file in the same run (best of 5 rounds each, `BENCH_ROUNDS`);
 * - peak RSS of a child process running the bundled CLI on the file (the child's own maxRSS, read at
 *   its exit), divided by the file size; and, for scale, the peak RSS of a child doing only the bare JSON.parse.
 * Targets: at most 2x JSON.parse; peak RSS at most 3x the file.
 */
import { spawnSync } from 'child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runGate } from '../../src/findings/cli';
import { noSuppressions } from '../../src/findings/suppressions';
import { Severity } from '../../src/model/severity';
import { bundleFindingsCli } from '../support/findings-cli';

const TARGET_MB = Number(process.env.BENCH_FINDINGS_MB ?? 100);
const MB = 1024 * 1024;
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'MEDIUM', 'LOW', 'LOW', 'LOW', 'UNKNOWN'];

/** Streams `make(i)` pieces to a file until it reaches `bytes`; returns the number of items. */
function generate(file: string, head: string, tail: string, bytes: number, make: (i: number) => string): number {
  const fd = openSync(file, 'w');
  let size = head.length + tail.length;
  let n = 0;
  try {
    writeSync(fd, head);
    let chunk: string[] = [];
    while (size < bytes) {
      const piece = (n === 0 ? '' : ',') + make(n);
      chunk.push(piece);
      size += piece.length;
      n++;
      if (chunk.length === 2000) {
        writeSync(fd, chunk.join(''));
        chunk = [];
      }
    }
    writeSync(fd, chunk.join('') + tail);
  } finally {
    closeSync(fd);
  }
  return n;
}

function sarifResult(i: number): string {
  return JSON.stringify({
    ruleId: `bench.rule.${i % 300}`,
    level: ['error', 'warning', 'note'][i % 3],
    message: { text: `User-controlled data flows into a sensitive sink (case ${i}); validate and encode it before use.` },
    locations: [{
      physicalLocation: {
        artifactLocation: { uri: `src/service${i % 40}/module${i % 1000}/handler${i}.ts` },
        region: { startLine: (i % 700) + 1, endLine: (i % 700) + 3, snippet: { text: `const value = request.query.p${i % 97}; sink(value);` } },
      },
    }],
    properties: { 'security-severity': ((i % 100) / 10).toFixed(1), 'tags': ['security', `CWE-${79 + (i % 20)}`] },
  });
}

/**
 * A trivy vulnerability shaped like the real ones in the fixtures (test/fixtures/scanner-reports/trivy/*.json): the same
 * fields (layer, data source, vendor severities, CVSS, references, dates, fingerprint) and about
 * their size. Entries there are 1.4 KB at the median of the legacy fixture's 93 vulnerabilities and
 * 2-8 KB in the newer fixtures; these are about 1.9 KB, so ~100 MB holds ~55,000 of them.
 */
function trivyVulnerability(i: number): string {
  const pkg = `lib${['ssl', 'xml2', 'curl', 'png', 'expat', 'krb5', 'sqlite3', 'gnutls'][i % 8]}-${i % 5000}`;
  const year = 2015 + (i % 10);
  const id = `CVE-${year}-${10000 + i}`;
  const installed = `1.${i % 50}.${i % 7}-r${i % 3}`;
  const fixed = i % 4 === 0 ? '' : `1.${(i % 50) + 1}.0-r0`;
  const hex = (n: number, len: number) => (n.toString(16).padStart(8, '0').repeat(8)).slice(0, len);
  const sentences = [
    `A flaw was found in ${pkg} before ${fixed || 'the next release'} where a crafted input could trigger an out-of-bounds read in the parser.`,
    'A remote attacker could use this flaw to crash the application, resulting in a denial of service, or possibly disclose memory contents.',
    'The highest threat from this vulnerability is to system availability.',
    `This issue affects versions up to and including ${installed}.`,
  ];
  const refs = Array.from({ length: 3 + (i % 7) }, (_, r) => [
    `https://access.redhat.com/security/cve/${id}`,
    `https://cve.mitre.org/cgi-bin/cvename.cgi?name=${id}`,
    `https://nvd.nist.gov/vuln/detail/${id}`,
    `https://ubuntu.com/security/notices/USN-${4000 + (i % 900)}-${r}`,
    `https://www.debian.org/security/${year}/dsa-${4500 + (i % 400)}`,
    `https://security.netapp.com/advisory/ntap-${year}0919-000${r}/`,
    `https://github.com/advisories/GHSA-${hex(i, 4)}-${hex(i * 7, 4)}-${hex(i * 13, 4)}`,
    `https://lists.debian.org/debian-lts-announce/${year}/0${1 + (r % 9)}/msg000${10 + r}.html`,
    `https://git.example.org/${pkg}/commit/${hex(i * 31 + r, 40)}`,
  ][r]);
  const score = (i % 100) / 10;
  return JSON.stringify({
    VulnerabilityID: id,
    PkgID: `${pkg}@${installed}`,
    PkgName: pkg,
    PkgIdentifier: { PURL: `pkg:deb/debian/${pkg}@${installed}?arch=amd64&distro=debian-12.5`, UID: hex(i * 17, 16) },
    InstalledVersion: installed,
    FixedVersion: fixed,
    Status: fixed ? 'fixed' : 'affected',
    Layer: { Digest: `sha256:${hex(i % 6, 64)}`, DiffID: `sha256:${hex((i % 6) + 99, 64)}` },
    SeveritySource: 'nvd',
    PrimaryURL: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`,
    DataSource: { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' },
    Fingerprint: `sha256:${hex(i * 101, 64)}`,
    Title: `${pkg}: out-of-bounds read in the input parser`,
    Description: sentences.slice(0, 2 + (i % 3)).join(' '),
    Severity: SEVERITIES[i % SEVERITIES.length],
    CweIDs: [`CWE-${125 + (i % 30)}`],
    VendorSeverity: { debian: 1 + (i % 3), nvd: 1 + (i % 4), redhat: 1 + (i % 3) },
    CVSS: {
      nvd: { V2Vector: 'AV:N/AC:M/Au:N/C:N/I:N/A:P', V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', V2Score: 4.3, V3Score: score },
      redhat: { V3Vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', V3Score: 5.5 },
    },
    References: refs,
    PublishedDate: `${year}-0${1 + (i % 9)}-1${i % 10}T17:15:00Z`,
    LastModifiedDate: `${year + 1}-0${1 + (i % 9)}-2${i % 10}T22:15:00Z`,
  });
}

/**
 * The same report at the density of the first version of this benchmark: 480-byte vulnerabilities
 * with none of trivy's references, scores or dates (~217,000 in 100 MB, three times denser than
 * any real trivy report among the fixtures). Printed as a stress figure, without a target.
 */
function denseTrivyVulnerability(i: number): string {
  const pkg = `pkg-${i % 5000}`;
  return JSON.stringify({
    VulnerabilityID: `CVE-${2015 + (i % 10)}-${10000 + i}`,
    PkgName: pkg,
    PkgIdentifier: { PURL: `pkg:npm/${pkg}@1.${i % 50}.0` },
    InstalledVersion: `1.${i % 50}.0`,
    FixedVersion: i % 4 === 0 ? '' : `1.${(i % 50) + 1}.0`,
    Status: i % 4 === 0 ? 'affected' : 'fixed',
    SeveritySource: 'nvd',
    PrimaryURL: `https://avd.aquasec.com/nvd/cve-${2015 + (i % 10)}-${10000 + i}`,
    Title: `${pkg}: crafted input leads to resource exhaustion`,
    Description: `A flaw in ${pkg} before 1.${(i % 50) + 1}.0 lets a remote attacker cause a denial of service through crafted input.`,
    Severity: SEVERITIES[i % SEVERITIES.length],
    CweIDs: [`CWE-${400 + (i % 30)}`],
  });
}

interface Timing {
  readonly jsonParseMs: number;
  readonly pipelineMs: number;
  readonly findings: number;
}

// Best of ROUNDS for both sides: this machine's timings vary by 20% and more from run to run.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

function bareJsonParse(file: string): number {
  const start = process.hrtime.bigint();
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const t = ms(start);
  if (typeof doc !== 'object') throw new Error('unexpected document');
  return t;
}

const QUIET = { out: () => undefined, err: () => undefined };

/** The CLI's `evaluate` for one report, minus argument parsing; `phases` keeps each step's best time. */
async function pipeline(file: string, out: string, phases: Record<string, number>): Promise<{ ms: number; findings: number }> {
  const start = process.hrtime.bigint();
  let t = start;
  const evaluation = await runGate({
    gate: 'bench',
    reports: [file],
    out,
    failOn: Severity.HIGH,
    secretSeverity: Severity.CRITICAL,
    asffMinSeverity: Severity.HIGH,
    suppressions: noSuppressions(),
    awsAccountId: '111122223333',
    region: 'eu-west-1',
  }, QUIET, (name) => {
    phases[name] = Math.min(phases[name] ?? Infinity, ms(t));
    t = process.hrtime.bigint();
  });
  return { ms: ms(start), findings: evaluation.decisions.length };
}

/** Peak RSS (bytes) of `node ARGS`, read from the child's own resource usage at exit. */
function childPeakRss(hook: string, args: string[]): { rss: number; ms: number; code: number | null } {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--require', hook, ...args], { encoding: 'utf8', maxBuffer: 16 * MB });
  const took = ms(start);
  const m = /^MAXRSS_KB (\d+)$/m.exec(r.stderr);
  if (!m) throw new Error(`no peak RSS from child (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  return { rss: Number(m[1]) * 1024, ms: took, code: r.status };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'findings-bench-'));
  try {
    const cli = join(dir, 'cli.js');
    bundleFindingsCli(cli);
    const hook = join(dir, 'rss-hook.js');
    writeFileSync(hook, "process.on('exit', () => process.stderr.write('MAXRSS_KB ' + process.resourceUsage().maxRSS + '\\n'));\n");

    const sarif = join(dir, 'bench.sarif');
    const sarifN = generate(sarif, '{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"BenchScanner","version":"1.0.0"}},"results":[', ']}]}', TARGET_MB * MB, sarifResult);
    const trivy = join(dir, 'bench-trivy.json');
    const trivyHead = '{"SchemaVersion":2,"ArtifactName":"bench/app:1.0","ArtifactType":"container_image","Results":[{"Target":"bench/app:1.0 (debian 12.5)","Class":"os-pkgs","Type":"debian","Vulnerabilities":[';
    const trivyN = generate(trivy, trivyHead, ']}]}', TARGET_MB * MB, trivyVulnerability);
    const dense = join(dir, 'bench-trivy-dense.json');
    const denseHead = '{"SchemaVersion":2,"ArtifactName":"bench/app:1.0","ArtifactType":"container_image","Results":[{"Target":"app/package-lock.json","Class":"lang-pkgs","Type":"npm","Vulnerabilities":[';
    const denseN = generate(dense, denseHead, ']}]}', TARGET_MB * MB, denseTrivyVulnerability);

    const rows: string[] = [];
    let allMet = true;
    const inputs = [
      { name: 'SARIF', file: sarif, items: sarifN, unit: 'results', targets: true },
      { name: 'trivy JSON', file: trivy, items: trivyN, unit: 'vulnerabilities', targets: true },
      { name: 'trivy JSON, dense (stress figure, no target)', file: dense, items: denseN, unit: 'vulnerabilities', targets: false },
    ];
    for (const { name, file, items, unit, targets } of inputs) {
      const size = statSync(file).size;
      const timings: Timing[] = [];
      let written = 0;
      const phases: Record<string, number> = {};
      for (let round = 0; round < ROUNDS; round++) {
        const jsonParseMs = bareJsonParse(file);
        const out = join(dir, `out-${round}`);
        mkdirSync(out, { recursive: true });
        const p = await pipeline(file, out, phases);
        written = readdirSync(out).reduce((sum, f) => sum + statSync(join(out, f)).size, 0);
        rmSync(out, { recursive: true, force: true });
        timings.push({ jsonParseMs, pipelineMs: p.ms, findings: p.findings });
      }
      const jsonParseMs = Math.min(...timings.map((t) => t.jsonParseMs));
      const pipelineMs = Math.min(...timings.map((t) => t.pipelineMs));
      const ratio = pipelineMs / jsonParseMs;

      const out = join(dir, 'cli-out');
      const cliRun = childPeakRss(hook, [cli, 'evaluate', '--gate', 'bench', '--report', file, '--fail-on', 'HIGH', '--out', out,
        '--aws-account-id', '111122223333', '--aws-region', 'eu-west-1']);
      if (cliRun.code !== 1) throw new Error(`CLI exited ${cliRun.code} on ${name}; expected 1 (blocking findings)`);
      rmSync(out, { recursive: true, force: true });
      const bare = childPeakRss(hook, ['-e', `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`]);
      const rssRatio = cliRun.rss / size;
      const timeMet = ratio <= 2;
      const rssMet = rssRatio <= 3;
      if (targets) allMet = allMet && timeMet && rssMet;
      rows.push(`${name}: file ${(size / MB).toFixed(1)} MB (${size} bytes), ${items} ${unit}, ${timings[0].findings} findings`);
      rows.push(`  time ratio ${ratio.toFixed(2)}x (${targets ? `target <= 2: ${timeMet ? 'met' : 'MISSED'}` : 'no target'}): parse + merge + evaluate + all reporters ${pipelineMs.toFixed(0)} ms`
        + ` / bare JSON.parse ${jsonParseMs.toFixed(0)} ms (best of ${ROUNDS}; all rounds: ${timings.map((x) => `${x.pipelineMs.toFixed(0)}/${x.jsonParseMs.toFixed(0)}`).join(', ')})`);
      rows.push(`  peak RSS ratio ${rssRatio.toFixed(2)}x (${targets ? `target <= 3: ${rssMet ? 'met' : 'MISSED'}` : 'no target'}): CLI child peak RSS ${(cliRun.rss / MB).toFixed(0)} MB / file ${(size / MB).toFixed(1)} MB`
        + ` (CLI wall ${cliRun.ms.toFixed(0)} ms; a child doing only the bare JSON.parse peaks at ${(bare.rss / MB).toFixed(0)} MB = ${(bare.rss / size).toFixed(2)}x)`);
      rows.push(`  phases (best of ${ROUNDS}, ms): ${Object.entries(phases).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
      const findings = timings[0].findings;
      rows.push(`  per finding: ${(pipelineMs * 1000 / findings).toFixed(2)} µs (bare JSON.parse: ${(jsonParseMs * 1000 / findings).toFixed(2)} µs);`
        + ` reports written: ${(written / MB).toFixed(0)} MB (${(written / size).toFixed(2)}x the input)`);
    }
    console.log(`findings engine benchmark (node ${process.version}, ${TARGET_MB} MB inputs)`);
    for (const r of rows) console.log(r);
    console.log(allMet ? 'all targets met' : 'at least one target was missed (see above)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
