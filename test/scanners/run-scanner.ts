/**
 * Runs a real scanner on an app directory and returns where its native report is, so the
 * report can be asserted on directly now and fed to `devsecops-findings evaluate` later.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
export const EXAMPLES = path.join(ROOT, 'examples');
const BIN = path.join(ROOT, 'node_modules', '.bin');

/** Scanners that install here: from npm (the project's dev dependencies) or PyPI (bandit, test/integration/install-scanners.ts). */
export type LocalScanner = 'secretlint' | 'bandit' | 'cfn-guard' | 'cyclonedx-npm';

/** The native report a scanner wrote. */
export interface ScanReport {
  readonly scanner: LocalScanner;
  /** Absolute path of the report file. */
  readonly reportPath: string;
  /** The report's format, as the findings engine will need to know it. */
  readonly format: 'sarif' | 'bandit-json' | 'cyclonedx-json';
  /** The scanner's exit code (informative: the findings engine decides, not the exit code). */
  readonly exitCode: number;
  readonly stderr: string;
}

// The directory holding the cfn-guard binary and rule sets of @cdklabs/cdk-validator-cfnguard.
export function cfnGuardPackageDir(): string {
  return path.dirname(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard')));
}

/** Control Tower proactive controls on S3 that the seeded bucket breaks and the clean one keeps. */
export const S3_CONTROL_TOWER_RULES = [
  'ct-s3-pr-1', // bucket-level Block Public Access
  'ct-s3-pr-5', // no ACLs (the seed's public-read ACL)
  'ct-s3-pr-8', // bucket policy requires TLS
  'ct-s3-pr-10', // default encryption with KMS
];

function run(command: string, args: string[], cwd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) {
    throw new Error(`could not run ${command}: ${r.error.message}` +
      (command === 'bandit' ? ' (npm run test:integration installs it from the shipped lock: test/integration/install-scanners.ts)' : ''));
  }
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Runs `scanner` on the app in `appDir` and writes its native report into a fresh temp dir.
 * Scans are offline: nothing is fetched at run time.
 */
export function runScanner(scanner: LocalScanner, appDir: string): ScanReport {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `scan-${scanner}-`));
  switch (scanner) {
    case 'secretlint': {
      const rc = path.join(out, 'secretlintrc.json');
      fs.writeFileSync(rc, JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
      const reportPath = path.join(out, 'secretlint.sarif');
      // With --output, secretlint writes the report and exits 0 even when it finds secrets.
      const r = run(path.join(BIN, 'secretlint'), [
        '**/*', '--secretlintrc', rc, '--format', '@secretlint/secretlint-formatter-sarif', '--output', reportPath,
      ], appDir);
      return { scanner, reportPath, format: 'sarif', exitCode: r.status, stderr: r.stderr };
    }
    case 'bandit': {
      const reportPath = path.join(out, 'bandit.json');
      const r = run('bandit', ['-r', '.', '-f', 'json', '-o', reportPath, '-q'], appDir);
      return { scanner, reportPath, format: 'bandit-json', exitCode: r.status, stderr: r.stderr };
    }
    case 'cfn-guard': {
      const pkg = cfnGuardPackageDir();
      const rulesDir = path.join(pkg, 'rules', 'control-tower', 'cfn-guard', 's3');
      const reportPath = path.join(out, 'cfn-guard.sarif');
      const r = run(path.join(pkg, 'bin', 'ubuntu', 'x86_64', 'cfn-guard'), [
        'validate',
        '--data', path.join(appDir, 'infra'),
        ...S3_CONTROL_TOWER_RULES.flatMap(rule => ['--rules', path.join(rulesDir, `${rule}.guard`)]),
        '--output-format', 'sarif', '--structured', '--show-summary', 'none',
      ], appDir);
      fs.writeFileSync(reportPath, r.stdout);
      return { scanner, reportPath, format: 'sarif', exitCode: r.status, stderr: r.stderr };
    }
    case 'cyclonedx-npm': {
      const reportPath = path.join(out, 'sbom.cdx.json');
      // From the lockfile alone: no node_modules, no registry.
      const r = run(path.join(BIN, 'cyclonedx-npm'), [
        '--package-lock-only', '--output-format', 'JSON', '--spec-version', '1.6',
        '--output-reproducible', '--output-file', reportPath, 'package.json',
      ], appDir);
      return { scanner, reportPath, format: 'cyclonedx-json', exitCode: r.status, stderr: r.stderr };
    }
  }
}

/** Reads a report; a missing, empty or unparsable report fails the test (fail closed). */
export function readReport<T = any>(report: ScanReport): T {
  if (!fs.existsSync(report.reportPath)) {
    throw new Error(`${report.scanner} wrote no report (exit ${report.exitCode}): ${report.stderr}`);
  }
  const text = fs.readFileSync(report.reportPath, 'utf8');
  if (text.trim() === '') {
    throw new Error(`${report.scanner} wrote an empty report (exit ${report.exitCode}): ${report.stderr}`);
  }
  return JSON.parse(text) as T;
}

// The 1-based line of the first line of a file containing `needle`, so the test does not
// hard-code where the seed sits.
export function lineOf(file: string, needle: string): number {
  const index = fs.readFileSync(file, 'utf8').split('\n').findIndex(l => l.includes(needle));
  expect(index).toBeGreaterThanOrEqual(0);
  return index + 1;
}
