// Shared inputs for the reporter tests: one gate with every kind of finding and decision.
import { evaluateGate, GateEvaluation } from '../../../src/findings/policy';
import { parseSuppressions } from '../../../src/findings/suppressions';
import { Finding, ToolRef } from '../../../src/model/finding';
import { Severity } from '../../../src/model/severity';

export const NOW = new Date('2025-06-01T12:00:00Z');

export const TOOLS: ToolRef[] = [
  { name: 'semgrep', version: '1.69.0' },
  { name: 'trivy', version: '0.50.0' },
  { name: 'checkov' },
  { name: 'gitleaks', version: '8.18.0' }, // ran clean: no findings
];

export const LONG_DESCRIPTION = 'A very long advisory text. '.repeat(200);

export function sampleFindings(): Finding[] {
  return [
    {
      tools: [TOOLS[0]],
      ruleId: 'python.lang.security.audit.eval-detected',
      title: 'eval() on <user> input & "quotes" \u0007bell',
      description: 'Detected eval.',
      severity: Severity.HIGH,
      rawSeverity: 'ERROR',
      location: { file: 'src/my app/main#1.py', startLine: 12, endLine: 14 },
      cves: [],
      cwes: ['CWE-95'],
      fingerprint: 'code:00000000000000000000000000000001',
      helpUri: 'https://semgrep.dev/r/python.eval',
    },
    {
      tools: [TOOLS[0]],
      ruleId: 'python.flask.debug',
      title: 'Flask debug mode',
      severity: Severity.MEDIUM,
      rawSeverity: 'WARNING',
      location: { file: 'src/app.py', startLine: 3 },
      cves: [],
      cwes: [],
      fingerprint: 'code:00000000000000000000000000000002',
    },
    {
      tools: [TOOLS[0]],
      ruleId: 'python.exec',
      title: 'exec used',
      severity: Severity.CRITICAL,
      location: { file: 'tools/gen.py', startLine: 1 },
      cves: [],
      cwes: [],
      fingerprint: 'code:00000000000000000000000000000003',
      suppressedByTool: true,
    },
    {
      tools: [TOOLS[1], { name: 'grype' }],
      ruleId: 'CVE-2021-44228',
      title: 'log4j-core: Remote code injection in Log4j',
      description: LONG_DESCRIPTION,
      severity: Severity.CRITICAL,
      rawSeverity: '10.0',
      package: { name: 'org.apache.logging.log4j:log4j-core', installedVersion: '2.14.1', fixedVersion: '2.15.0', ecosystem: 'maven' },
      resource: { id: 'org.apache.logging.log4j:log4j-core', kind: 'library', target: 'app.jar' },
      cves: ['CVE-2021-44228'],
      cwes: ['CWE-502'],
      fingerprint: 'dep:00000000000000000000000000000004',
      helpUri: 'https://avd.aquasec.com/nvd/cve-2021-44228',
    },
    {
      tools: [TOOLS[1]],
      ruleId: 'CVE-2020-0001',
      title: 'minor issue',
      severity: Severity.LOW,
      rawSeverity: 'LOW',
      package: { name: 'zlib', installedVersion: '1.2.11' },
      cves: ['CVE-2020-0001'],
      cwes: [],
      fingerprint: 'dep:00000000000000000000000000000005',
    },
    {
      tools: [TOOLS[2]],
      ruleId: 'CKV_AWS_18',
      title: 'Ensure the S3 bucket has access logging enabled',
      severity: Severity.HIGH,
      resource: { id: 'AppBucket', kind: 'AWS::S3::Bucket', target: 'cdk.out/App.template.json' },
      cves: [],
      cwes: [],
      fingerprint: 'iac:00000000000000000000000000000006',
    },
  ];
}

export const SUPPRESSIONS_YAML = `
suppressions:
  - id: SUP-1
    rule: python.flask.debug
    reason: "debug only in the local runner | not deployed <b>"
    expires: 2025-06-05
    owner: team-web
    falsePositive: true
  - cve: CVE-2021-44228
    reason: old exception
    expires: 2025-05-01
  - rule: never.matches
    reason: leftover - accepted after review
    expires: 2025-08-01
  - rule: bad.entry
    reason: no expiry - accepted after review
`;

/** Fails on MEDIUM: semgrep eval and checkov block, flask debug is suppressed, log4j blocks (its suppression expired). */
export function sampleEvaluation(findings = sampleFindings()): GateEvaluation {
  return evaluateGate(findings, {
    gate: 'static',
    failOn: Severity.MEDIUM,
    now: NOW,
    suppressions: parseSuppressions(SUPPRESSIONS_YAML, '.devsecops/suppressions.yaml', { now: NOW }),
  });
}

/** `n` findings of one tool, for size tests. */
export function manyFindings(n: number, severity = Severity.HIGH): Finding[] {
  const out: Finding[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      tools: [{ name: 'bulk' }],
      ruleId: `rule-${i % 7}`,
      title: `finding ${i}`,
      severity,
      location: { file: `src/f${i}.ts`, startLine: i + 1 },
      cves: [],
      cwes: [],
      fingerprint: `code:${i.toString(16).padStart(32, '0')}`,
    });
  }
  return out;
}
