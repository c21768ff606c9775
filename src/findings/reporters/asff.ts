import { Finding } from '../model';
import { FindingDecision, GateEvaluation } from '../policy';
import { isAtLeast, Severity } from '../severity';
import { Sink } from './sink';

/**
 * AWS Security Finding Format (ASFF) for Security Hub `BatchImportFindings`.
 *
 * The output is a JSON array of batches, each an array of at most 100 findings (the API's limit),
 * so a gate can import them one call per batch:
 * `jq -c '.[]' asff.json | while read -r b; do aws securityhub batch-import-findings --findings "$b"; done`.
 * Ids come from fingerprints, so a finding seen again updates the same Security Hub finding.
 * Suppressed findings are exported with workflow status SUPPRESSED.
 * Only findings at or above `minSeverity` (by default the gate's threshold) are exported: Security Hub
 * is where the findings a gate acts on are tracked, and it bills per ingested finding; the merged SARIF
 * keeps every finding.
 */

export const ASFF_BATCH_SIZE = 100;
export const ASFF_SCHEMA_VERSION = '2018-10-08';
/** ASFF field limits. */
export const ASFF_DESCRIPTION_MAX = 1024;
export const ASFF_TITLE_MAX = 256;
const ASFF_ID_MAX = 512;

export interface AsffOptions {
  /** 12-digit AWS account id the findings belong to. */
  readonly awsAccountId: string;
  /** Region the findings are imported into. */
  readonly region: string;
  /** Product ARN. @default `arn:<partition>:securityhub:<region>:<account>:product/<account>/default` */
  readonly productArn?: string;
  /** @default 'aws' */
  readonly partition?: string;
  /** Prepended to every finding id and resource id, e.g. the repository name, so that two repositories never share ids. @default 'devsecops' */
  readonly idPrefix?: string;
  /** CreatedAt / UpdatedAt. @default the evaluation time */
  readonly now?: Date;
  /** Least serious severity exported. @default the gate's `failOn` */
  readonly minSeverity?: Severity;
}

/** The account-default product ARN that accepts a customer's own findings. */
export function defaultProductArn(partition: string, region: string, account: string): string {
  return `arn:${partition}:securityhub:${region}:${account}:product/${account}/default`;
}

function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function types(f: Finding): string[] {
  if (f.cves.length > 0) return ['Software and Configuration Checks/Vulnerabilities/CVE'];
  if (f.package) return ['Software and Configuration Checks/Vulnerabilities'];
  if (f.resource && /^AWS::/.test(f.resource.kind ?? '')) return ['Software and Configuration Checks/AWS Security Best Practices'];
  return ['Software and Configuration Checks'];
}

function resourceId(f: Finding): string {
  if (f.location) return f.location.file;
  if (f.resource) return f.resource.target ? `${f.resource.target}/${f.resource.id}` : f.resource.id;
  if (f.package) return `${f.package.name}${f.package.installedVersion ? `@${f.package.installedVersion}` : ''}`;
  return f.ruleId;
}

function description(f: Finding): string {
  const parts = [f.description || f.title || f.ruleId];
  if (f.location?.startLine) parts.push(`Location: ${f.location.file}:${f.location.startLine}.`);
  if (f.package) parts.push(`Package ${f.package.name} ${f.package.installedVersion ?? ''}${f.package.fixedVersion ? `, fixed in ${f.package.fixedVersion}` : ''}.`);
  return cut(parts.join(' ').replace(/\s+/g, ' ').trim() || f.ruleId, ASFF_DESCRIPTION_MAX);
}

/** The fields every finding of a run shares, serialized once (this runs 200,000+ times on big reports). */
function constantFields(options: AsffOptions, at: string): string {
  const partition = options.partition ?? 'aws';
  const productArn = options.productArn ?? defaultProductArn(partition, options.region, options.awsAccountId);
  const json = JSON.stringify({
    SchemaVersion: ASFF_SCHEMA_VERSION,
    ProductArn: productArn,
    AwsAccountId: options.awsAccountId,
    CreatedAt: at,
    UpdatedAt: at,
    RecordState: 'ACTIVE',
  });
  return json.slice(1, -1);
}

/** The fields of one finding, serialized without the enclosing braces. */
function variableFields(d: FindingDecision, gate: string, options: AsffOptions): string {
  const f = d.finding;
  const partition = options.partition ?? 'aws';
  const prefix = options.idPrefix ?? 'devsecops';
  const suppressed = d.decision === 'suppressed' || d.decision === 'tool-suppressed';
  const userDefined: Record<string, string> = {
    gate,
    decision: d.decision,
    fingerprint: f.fingerprint,
    tools: f.tools.map((t) => t.name).join(','),
  };
  if (d.suppression) {
    userDefined.suppressionReason = cut(d.suppression.reason, 1000);
    userDefined.suppressionExpires = d.suppression.expires;
  }
  const severity: Record<string, string> = { Label: f.severity === Severity.INFO ? 'INFORMATIONAL' : f.severity };
  if (f.rawSeverity) severity.Original = cut(f.rawSeverity, 100);
  const resource: Record<string, unknown> = {
    Type: 'Other',
    Id: cut(`${prefix}/${resourceId(f)}`, ASFF_ID_MAX),
    Partition: partition,
    Region: options.region,
  };
  if (f.resource?.kind) resource.Details = { Other: { kind: cut(f.resource.kind, 1000) } };
  const productFields: Record<string, string> = { 'devsecops/ruleId': cut(f.ruleId, 1000) };
  if (f.tools[0]?.version) productFields['devsecops/toolVersion'] = f.tools[0].version;
  const out: Record<string, unknown> = {
    Id: cut(`${prefix}/${f.fingerprint}`, ASFF_ID_MAX),
    GeneratorId: cut(`${prefix}/${f.tools[0]?.name ?? 'unknown'}/${f.ruleId}`, ASFF_ID_MAX),
    Types: types(f),
    Severity: severity,
    Title: cut(f.title || f.ruleId, ASFF_TITLE_MAX),
    Description: description(f),
    Resources: [resource],
    Workflow: { Status: suppressed ? 'SUPPRESSED' : 'NEW' },
    UserDefinedFields: userDefined,
    ProductFields: productFields,
  };
  if (f.helpUri && /^https?:\/\//.test(f.helpUri)) out.SourceUrl = f.helpUri;
  if (f.package?.fixedVersion) {
    out.Remediation = { Recommendation: { Text: cut(`Upgrade ${f.package.name} to ${f.package.fixedVersion} or later.`, 512) } };
  }
  if (f.cves.length > 0) {
    const pkg = f.package;
    let packages: unknown[] | undefined;
    if (pkg) {
      const vp: Record<string, string> = { Name: pkg.name };
      if (pkg.installedVersion) vp.Version = pkg.installedVersion;
      if (pkg.fixedVersion) vp.FixedInVersion = pkg.fixedVersion;
      packages = [vp];
    }
    out.Vulnerabilities = f.cves.slice(0, 10).map((id) => (packages ? { Id: id, VulnerablePackages: packages } : { Id: id }));
  }
  return JSON.stringify(out).slice(1, -1);
}

/** Writes all findings as an array of batches of at most 100. */
export function writeAsff(evaluation: GateEvaluation, options: AsffOptions, sink: Sink): void {
  const at = (options.now ?? new Date(evaluation.evaluatedAt)).toISOString();
  const min = options.minSeverity ?? evaluation.failOn;
  const head = `{${constantFields(options, at)},`;
  sink.write('[');
  let n = 0;
  for (const d of evaluation.decisions) {
    if (!isAtLeast(d.finding.severity, min)) continue;
    const sep = n % ASFF_BATCH_SIZE !== 0 ? ',\n    ' : n === 0 ? '\n  [\n    ' : '\n  ],\n  [\n    ';
    sink.write(`${sep}${head}${variableFields(d, evaluation.gate, options)}}`);
    n++;
  }
  sink.write(n === 0 ? ']\n' : '\n  ]\n]\n');
}
