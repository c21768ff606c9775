/**
 * The shape of a scanner descriptor: one file per scanner tool under src/scanners/, holding its
 * pinned artifact, how a gate installs it, and, for each gate it serves, which files it covers,
 * its command lines and its report format. The gates and the local `scan` read only this.
 */
import type { ScannerInvocation } from './steps';
import type { ReportFormat } from '../model/formats';
import type { EngineGate } from '../model/gates';
import type { AptPackage, Tool } from '../tools/tools';

/** How a gate installs the scanner. */
export type InstallSource =
  /** From its pinned artifact (archive, hash-locked pip closure, or checked npm tarballs): the default. */
  | { readonly kind: 'artifact' }
  /** From the build image's distribution, upstream version pinned (apt verifies signatures and hashes). */
  | { readonly kind: 'apt'; readonly package: AptPackage }
  /** From an npm project with a committed lock this package ships (every transitive package pinned). */
  | { readonly kind: 'shipped-lock'; readonly directory: string }
  /**
   * From PyPI, with a hash-locked requirements file this package ships (assets/scanner-locks/<lock>,
   * made by pip-compile --generate-hashes): it pins the artifact's version and every dependency.
   */
  | { readonly kind: 'pip-lock'; readonly lock: string }
  /** Nothing installed: its invocation runs its container image (`artifact`, kind `image`), pulled by digest. */
  | { readonly kind: 'container' };

/** Which files an engine analyzes: it applies when the repository has one of them. */
export interface Coverage {
  /** Files at the repository root that select it (e.g. `pom.xml`). */
  readonly rootFiles?: readonly string[];
  /** File extensions anywhere in the project's code (dependency and build directories excluded). */
  readonly extensions?: readonly string[];
  /** What it covers, in words; the gate log says "not applicable (no ...)" with it. */
  readonly absent: string;
}

/** What a gate's build or the local scan gives an invocation. */
export interface InvocationContext {
  /** Where the native report goes. */
  readonly reportDir: string;
  /** Where the scanner's configuration files go (outside the scanned tree). */
  readonly workDir: string;
  /** secrets: scan every commit of a full clone instead of the files. */
  readonly history?: boolean;
  /** trivy: its database cache directory. */
  readonly cacheDir?: string;
  /** trivy: report only vulnerabilities with a fixed version. */
  readonly ignoreUnfixed?: boolean;
  /**
   * image: a shell expression (e.g. `"$IMAGE_REF"`, never a user's text) naming the image in its
   * registry; the image gate scans it there (remote mode, no Docker daemon).
   */
  readonly imageRefExpression?: string;
  /** semgrep: rule files or directories (never downloaded). */
  readonly semgrepRules?: readonly string[];
  /** IaC: a directory of CloudFormation templates (the pipeline's collected cloud assembly). */
  readonly templatesDir?: string;
  /** IaC: the template files themselves (the local scan, so findings name them where they are). */
  readonly templateFiles?: readonly string[];
  /** cfn-guard: rule directories of the gate's own (Control Tower rules). */
  readonly builtinRuleDirs?: readonly string[];
  /** cfn-guard: the user's rule files or directories (always quoted). */
  readonly ruleFiles?: readonly string[];
  /** DAST: the environment variable holding the target URL (checked to be http(s) before use). Default `DAST_TARGET_URL`. */
  readonly targetUrlVariable?: string;
  /** DAST: the scan's time bound in minutes. Default 10. */
  readonly maxScanMinutes?: number;
  /** ZAP: its rule configuration (`-c`): rule id to `FAIL`, `WARN` or `IGNORE`. */
  readonly zapRules?: Readonly<Record<string, string>>;
  /** ZAP API scan: a repository file, an http(s) URL, or a path on the target (`/openapi.json`). */
  readonly apiDefinition?: string;
  /** ZAP API scan: the definition's format (`openapi`, `soap`, `graphql`). Default `openapi`. */
  readonly apiFormat?: string;
  /**
   * ZAP: send an authentication header, from the build's environment: its name in
   * `ZAP_AUTH_HEADER`, its value in the variable named here (a Secrets Manager variable).
   */
  readonly authValueVariable?: string;
  /** ZAP: prefix of the header's value (e.g. `Bearer `). */
  readonly authValuePrefix?: string;
  /** wapiti: its attack modules (`-m`); wapiti's default set when empty. */
  readonly wapitiModules?: readonly string[];
  /** Dockerfile: the Dockerfiles to read (always quoted); by default every one in the repository. */
  readonly dockerfiles?: readonly string[];
}

/** One use of a scanner by one gate. */
export interface ScannerEngine {
  /** The gate it serves. */
  readonly gate: EngineGate;
  /** The engine's id in that gate: what logs, `scan` and the gate's factories name. */
  readonly id: string;
  /** The report format it writes (the findings CLI's parser). */
  readonly report: ReportFormat;
  /** secrets: it can scan the git history of a full clone (`history`). */
  readonly readsHistory?: boolean;
  /** The files it analyzes; undefined when it reads whatever the gate gives it. */
  readonly covers?: Coverage;
  /** Its steps and report, the same for a gate's buildspec and the local scan. Pure. */
  readonly invoke: (o: InvocationContext) => ScannerInvocation;
}

/** A scanner tool: what is pinned, how it installs, and what each gate runs with it. */
export interface Scanner {
  /** The tool's name: its file name under src/scanners/ and its registry key. */
  readonly name: string;
  /** What is pinned (version and checksums) for the gates' install. */
  readonly artifact: Tool;
  /** How a gate installs it (default: from `artifact`). */
  readonly install?: InstallSource;
  /** The engines it provides, one per gate use; none while no gate runs it yet. */
  readonly engines: readonly ScannerEngine[];
}
