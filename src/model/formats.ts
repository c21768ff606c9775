/**
 * The report formats the findings engine reads, by the name `--report FILE:FORMAT` takes. The
 * parser registry (src/findings/parsers/native.ts and sarif.ts) has a parser for each, checked
 * by the compiler; a scanner descriptor's report format is one of these, also checked by it.
 */
export const REPORT_FORMATS = [
  'sarif',
  'gitleaks',
  'trufflehog',
  'semgrep',
  'bandit',
  'trivy',
  'grype',
  'checkov',
  'kics',
  'cfn-guard',
  'cfn-nag',
  'zap',
  'wapiti',
  'ecr',
  'inspector',
  'asff',
  'cyclonedx',
  'spdx',
  'npm-audit',
  'dependency-check',
  'cdk-nag',
  'config-proactive',
  'base-images',
] as const;

/** A report format the findings engine reads. */
export type ReportFormat = typeof REPORT_FORMATS[number];
