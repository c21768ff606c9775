import { Severity } from '../model/severity';

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
