/**
 * Facts about the gates that every layer shares, defined once: their names and order, the
 * default threshold, the default suppressions file, the stage they run in.
 */
import { Severity } from './severity';

/** The static gates, in the pipeline's order, by the names `evaluate --gate` gives them. */
export const GATE_NAMES = ['secrets', 'sast', 'dependencies', 'sbom', 'iac', 'dockerfile'] as const;
/** The name of one static gate. */
export type GateName = typeof GATE_NAMES[number];

/**
 * The DAST gate's name (`evaluate --gate dast`). It is not a static gate: it runs after a Stage
 * deploys (a `post` step of that Stage), against what was deployed, so the local `scan` and the
 * SecurityGates stage do not run it.
 */
export const DAST_GATE = 'dast';
/**
 * The image gate: scans a container image the pipeline built (not a static gate: it runs only
 * for the images added with `addContainerImage`, after their build, in the gates' stage).
 */
export const IMAGE_GATE = 'image';
/** A gate a scanner engine serves: a static gate, DAST or the image gate. */
export type EngineGate = GateName | typeof DAST_GATE | typeof IMAGE_GATE;

/** The lowest severity that fails a gate unless the pipeline or the gate sets another. */
export const DEFAULT_FAIL_ON = Severity.HIGH;

/** The default suppressions file: read by the findings CLI when present in the repository. */
export const DEFAULT_SUPPRESSIONS_FILE = '.devsecops/suppressions.yaml';

/** The pipeline stage the gates (and the weakening check) run in, right after Build. */
export const GATES_STAGE = 'SecurityGates';

/** The policy gate's name (evaluate --gate): the policies run on the synthesized templates. */
export const POLICY_GATE = 'policies';

/** Directories that are not the project's code: dependencies, build output, the gate's own output. */
export const NOT_PROJECT_CODE: readonly string[] = ['node_modules', 'cdk.out', '.git', 'devsecops-gate-out'];
