import { Finding, PackageRef, ResourceRef } from '../../model/finding';
import { isAtLeast, Severity } from '../../model/severity';
import { normalizeSnippet } from '../fingerprint';
import { FindingDecision, GateEvaluation } from '../policy';
import { jsonString, SharedJson } from './json';
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
  let text = f.description || f.title || f.ruleId;
  if (f.location?.startLine) text += ` Location: ${f.location.file}:${f.location.startLine}.`;
  if (f.package) text += ` Package ${f.package.name} ${f.package.installedVersion ?? ''}${f.package.fixedVersion ? `, fixed in ${f.package.fixedVersion}` : ''}.`;
  // White space folded (as snippets are: the same rule, and no copy when already folded).
  return cut(normalizeSnippet(text) || f.ruleId, ASFF_DESCRIPTION_MAX);
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

const TYPES_JSON = new Map<string, string>();

/** `Types` as JSON: four constant lists, serialized once each. */
function typesJson(f: Finding): string {
  const list = types(f);
  let json = TYPES_JSON.get(list[0]);
  if (json === undefined) {
    json = JSON.stringify(list);
    TYPES_JSON.set(list[0], json);
  }
  return json;
}

/** What every finding of one export shares, serialized once. */
class Shared {
  readonly prefix: string;
  readonly resourceTail: string;
  readonly gateField: string;
  private readonly severities = new Map<string, string>();
  private readonly generators = new Map<string, Map<string, string>>();

  readonly resources = new SharedJson<ResourceRef>((r) => this.resourceJson(r.target ? `${r.target}/${r.id}` : r.id, r.kind));
  readonly packages = new SharedJson<PackageRef>(vulnerablePackagesJson);
  readonly remediations = new SharedJson<PackageRef>(
    (p) => `,"Remediation":{"Recommendation":{"Text":${jsonString(cut(`Upgrade ${p.name} to ${p.fixedVersion} or later.`, 512))}}}`,
  );

  constructor(gate: string, options: AsffOptions) {
    const partition = options.partition ?? 'aws';
    this.prefix = options.idPrefix ?? 'devsecops';
    this.resourceTail = `,"Partition":${jsonString(partition)},"Region":${jsonString(options.region)}`;
    this.gateField = `{"gate":${jsonString(gate)}`;
  }

  /** One entry of `Resources` as JSON. */
  resourceJson(id: string, kind: string | undefined): string {
    let json = `{"Type":"Other","Id":${jsonString(cut(`${this.prefix}/${id}`, ASFF_ID_MAX))}${this.resourceTail}`;
    if (kind) json += `,"Details":{"Other":{"kind":${jsonString(cut(kind, 1000))}}}`;
    return `${json}}`;
  }

  /** `Severity` as JSON (label and the scanner's word: a few dozen pairs). */
  severity(f: Finding): string {
    const key = f.rawSeverity === undefined ? f.severity : `${f.severity}\u0000${f.rawSeverity}`;
    let json = this.severities.get(key);
    if (json === undefined) {
      json = `{"Label":"${f.severity === Severity.INFO ? 'INFORMATIONAL' : f.severity}"${f.rawSeverity ? `,"Original":${jsonString(cut(f.rawSeverity, 100))}` : ''}}`;
      if (this.severities.size < 10_000) this.severities.set(key, json);
    }
    return json;
  }

  /** `GeneratorId` as JSON: one per tool and rule. */
  generator(f: Finding): string {
    const tool = f.tools[0]?.name ?? 'unknown';
    let byRule = this.generators.get(tool);
    if (!byRule) {
      byRule = new Map();
      this.generators.set(tool, byRule);
    }
    let json = byRule.get(f.ruleId);
    if (json === undefined) {
      json = jsonString(cut(`${this.prefix}/${tool}/${f.ruleId}`, ASFF_ID_MAX));
      // A few hundred rules at most repeat; a trivy report's one rule per CVE would only fill the cache.
      if (byRule.size < 1000) byRule.set(f.ruleId, json);
    }
    return json;
  }
}

/** `,"VulnerablePackages":[...]` of a vulnerability, as JSON. */
function vulnerablePackagesJson(pkg: PackageRef): string {
  let json = `,"VulnerablePackages":[{"Name":${jsonString(pkg.name)}`;
  if (pkg.installedVersion) json += `,"Version":${jsonString(pkg.installedVersion)}`;
  if (pkg.fixedVersion) json += `,"FixedInVersion":${jsonString(pkg.fixedVersion)}`;
  return `${json}}]`;
}

/**
 * The fields of one finding, serialized without the enclosing braces. Built by hand (this runs for
 * every exported finding: 100,000+ on large reports); every string goes through `jsonString`.
 */
function variableFields(d: FindingDecision, shared: Shared): string {
  const f = d.finding;
  const suppressed = d.decision === 'suppressed';
  let tools = '';
  for (let i = 0; i < f.tools.length; i++) tools += (i === 0 ? '' : ',') + f.tools[i].name;
  let userDefined = `${shared.gateField},"decision":"${d.decision}","fingerprint":${jsonString(f.fingerprint)},"tools":${jsonString(tools)}`;
  if (d.suppression) {
    userDefined += `,"suppressionReason":${jsonString(cut(d.suppression.reason, 1000))},"suppressionExpires":${jsonString(d.suppression.expires)}`;
  }
  // A resource without a file location is its own resource id: shared resources are serialized once.
  const resource = !f.location && f.resource ? shared.resources.of(f.resource) : shared.resourceJson(resourceId(f), f.resource?.kind);
  let productFields = `{"devsecops/ruleId":${jsonString(cut(f.ruleId, 1000))}`;
  if (f.tools[0]?.version) productFields += `,"devsecops/toolVersion":${jsonString(f.tools[0].version)}`;
  let out = `"Id":${jsonString(cut(`${shared.prefix}/${f.fingerprint}`, ASFF_ID_MAX))},"GeneratorId":${shared.generator(f)},"Types":${typesJson(f)}`
    + `,"Severity":${shared.severity(f)},"Title":${jsonString(cut(f.title || f.ruleId, ASFF_TITLE_MAX))},"Description":${jsonString(description(f))}`
    + `,"Resources":[${resource}],"Workflow":{"Status":"${suppressed ? 'SUPPRESSED' : 'NEW'}"},"UserDefinedFields":${userDefined}},"ProductFields":${productFields}}`;
  if (f.helpUri && /^https?:\/\//.test(f.helpUri)) out += `,"SourceUrl":${jsonString(f.helpUri)}`;
  if (f.package?.fixedVersion) out += shared.remediations.of(f.package);
  if (f.cves.length > 0) {
    const packages = f.package ? shared.packages.of(f.package) : '';
    out += ',"Vulnerabilities":[';
    const n = Math.min(f.cves.length, 10);
    for (let i = 0; i < n; i++) out += `${i === 0 ? '' : ','}{"Id":${jsonString(f.cves[i])}${packages}}`;
    out += ']';
  }
  return out;
}

/** Writes all findings as an array of batches of at most 100. */
export function writeAsff(evaluation: GateEvaluation, options: AsffOptions, sink: Sink): void {
  const at = (options.now ?? new Date(evaluation.evaluatedAt)).toISOString();
  const min = options.minSeverity ?? evaluation.failOn;
  const head = `{${constantFields(options, at)},`;
  const shared = new Shared(evaluation.gate, options);
  sink.write('[');
  let n = 0;
  for (const d of evaluation.decisions) {
    if (!isAtLeast(d.finding.severity, min)) continue;
    const sep = n % ASFF_BATCH_SIZE !== 0 ? ',\n    ' : n === 0 ? '\n  [\n    ' : '\n  ],\n  [\n    ';
    sink.write(`${sep}${head}${variableFields(d, shared)}}`);
    n++;
  }
  sink.write(n === 0 ? ']\n' : '\n  ]\n]\n');
}
