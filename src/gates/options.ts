import type { IacScan } from './iac';
import type { Sast } from './sast';
import type { Sbom } from './sbom';
import type { DependencyScan } from './sca';
import type { SecretScan } from './secrets';
import { Severity } from '../findings/severity';

/**
 * Settings every static gate has.
 */
export interface GateOptions {
  /**
   * The lowest severity that fails the gate: a finding at or above it, not suppressed, blocks the pipeline.
   *
   * @default - the pipeline's `gates.failOn` (Severity.HIGH unless set)
   */
  readonly failOn?: Severity;

  /**
   * Path, relative to the repository root, of the suppressions file (each entry with a reason and an expiry).
   * The default file is used only if it is present; a file named here must exist, or the gate fails.
   *
   * @default - the pipeline's `gates.suppressionsFile` ('.devsecops/suppressions.yaml', used if present)
   */
  readonly suppressionsFile?: string;
}

/**
 * The static security gates of a `DevSecOpsPipeline`. Every gate is on by default with secure
 * settings; each is tuned with its factory's options and turned off with its `none()` factory,
 * e.g. `{ secrets: SecretScan.none() }`.
 *
 * (A gate is switched off with `X.none()` rather than a boolean: jsii has no union types, and a
 * boolean beside a gate prop would allow contradictions such as `secrets: false` with a tuned
 * scanner. One prop per gate keeps one meaning.)
 */
export interface StaticGatesOptions {
  /**
   * The lowest severity that fails a gate, for every gate that does not set its own.
   *
   * Raising it to CRITICAL weakens a secure default and leaves a warning annotation.
   *
   * @default Severity.HIGH
   */
  readonly failOn?: Severity;

  /**
   * Path, relative to the repository root, of the suppressions file for every gate that does not
   * set its own. The default file is used only when present; a file named here must exist.
   *
   * @default '.devsecops/suppressions.yaml' (used if present)
   */
  readonly suppressionsFile?: string;

  /**
   * Secret scanning.
   *
   * @default SecretScan.gitleaks()
   */
  readonly secrets?: SecretScan;

  /**
   * Static application security testing.
   *
   * @default Sast.detect()
   */
  readonly sast?: Sast;

  /**
   * Dependency (SCA) scanning.
   *
   * @default DependencyScan.trivy()
   */
  readonly dependencies?: DependencyScan;

  /**
   * Software bill of materials.
   *
   * @default Sbom.cycloneDx()
   */
  readonly sbom?: Sbom;

  /**
   * Infrastructure-as-code scanning of the synthesized templates.
   *
   * @default IacScan.cfnGuard()
   */
  readonly iac?: IacScan;
}
