import { Severity } from './severity';

export { Severity, SEVERITY_ORDER, severityRank, isAtLeast } from './severity';

/** Where in the source tree a finding is. Paths are repository-relative, POSIX separators, never containing `..`. */
export interface SourceLocation {
  readonly file: string;
  readonly startLine?: number;
  readonly endLine?: number;
  /** Normalized code snippet, when the scanner gives one (used for fingerprints). */
  readonly snippet?: string;
  /**
   * The scanner's path climbs above the repository's root (`../../x`): `file` is the path as
   * given, shown marked, and never matched by a suppression's path glob.
   */
  readonly outsideRepository?: boolean;
}

/** A deployed or packaged thing a finding is about, when it is not a source file. */
export interface ResourceRef {
  /** CloudFormation logical id, container image, Lambda function, package path, ... */
  readonly id: string;
  /** `AWS::S3::Bucket`, `container-image`, `AWS_LAMBDA_FUNCTION`, ... */
  readonly kind?: string;
  /** Template file or image reference the resource belongs to. */
  readonly target?: string;
}

/** The package a dependency finding is about. */
export interface PackageRef {
  readonly name: string;
  readonly installedVersion?: string;
  readonly fixedVersion?: string;
  /** Package ecosystem when known: npm, pypi, maven, apk, deb, ... */
  readonly ecosystem?: string;
}

/** The tool that reported a finding. */
export interface ToolRef {
  readonly name: string;
  readonly version?: string;
}

/** One finding, whatever scanner reported it. */
export interface Finding {
  /** Tool(s) that reported it; more than one after two tools' findings are merged. */
  readonly tools: ToolRef[];
  /** Scanner's rule or check id (CVE id for dependency scanners when they have no other). */
  readonly ruleId: string;
  readonly title: string;
  readonly description?: string;
  readonly severity: Severity;
  /** The scanner's own severity value, as written in the report (e.g. `WARNING`, `moderate`, `7.5`). */
  readonly rawSeverity?: string;
  readonly location?: SourceLocation;
  readonly resource?: ResourceRef;
  readonly package?: PackageRef;
  readonly cves: string[];
  readonly cwes: string[];
  /**
   * Stable across runs and line shifts; see `fingerprint.ts`. For findings merged from several
   * (`mergeFindings`), the smallest of their fingerprints, so that the order of the reports never
   * changes it.
   */
  readonly fingerprint: string;
  /**
   * The other fingerprints of the findings merged into this one (another tool's report of the same
   * CVE in the same package), sorted. A baseline or a suppression that names any of them matches:
   * a baseline made while one tool reported it keeps matching once both do, and the other way round.
   */
  readonly otherFingerprints?: string[];
  /** Help or advisory link. */
  readonly helpUri?: string;
  /** The scanner itself marked the result suppressed (e.g. `nosemgrep`, checkov skip). */
  readonly suppressedByTool?: boolean;
}
