import type { DockerfileScan } from './dockerfile';
import type { SecurityGate } from './gate';
import type { IacScan } from './iac';
import type { Sast } from './sast';
import type { Sbom } from './sbom';
import type { DependencyScan } from './sca';
import type { SecretScan } from './secrets';
import { Severity } from '../model/severity';

/**
 * The security gates of a `DevSecOpsPipeline`. Every built-in gate is on by default with secure
 * settings; each is tuned with its factory's options and turned off with its `none()` factory,
 * e.g. `{ secrets: SecretScan.none() }`. Gates of your own go in `additionalGates`.
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
   * @default Sbom.trivy()
   */
  readonly sbom?: Sbom;

  /**
   * Infrastructure-as-code scanning of the synthesized templates.
   *
   * @default IacScan.cfnGuard()
   */
  readonly iac?: IacScan;

  /**
   * Dockerfile checks: the minimal base image policy (allow-list, digest pins) and trivy's
   * misconfiguration checks, on the source, before anything is built. A repository with no
   * Dockerfile passes as not applicable.
   *
   * @default DockerfileScan.baseImagePolicy()
   */
  readonly dockerfile?: DockerfileScan;

  /**
   * Gates of your own (subclasses of `SecurityGate`), run in the same stage as the built-in ones,
   * in parallel, before self-mutation and any deployment; each reports through the findings
   * engine and is part of the pipeline's posture (weakening it needs an approval).
   *
   * @default - none
   */
  readonly additionalGates?: SecurityGate[];
}
