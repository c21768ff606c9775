/**
 * Names shared by the proactive evaluation's runtime (proactive.ts, bundled with the AWS SDK) and the
 * construct code that builds its step and rules: this module imports nothing, so construct code can
 * use it without loading the SDK (a bundled dev dependency, not installed with the library).
 */
/** Marks a report as this command's (the parser's detect). */
export const PROACTIVE_REPORT_KIND = 'devsecops-config-proactive';
/** Metadata key on a Config rule resource naming the policy it enforces (read to name findings). */
export const POLICY_ID_METADATA = 'cdk-devsecops-pipeline:policy-id';
/** Prefix of the gate name of each Stage's proactive step (`config-proactive.<stage>`). */
export const PROACTIVE_GATE_PREFIX = 'config-proactive';
/** Prefix of the proactive step's action name in the Stage's pipeline stage (`ConfigProactive-<Stage>`). */
export const PROACTIVE_STEP_PREFIX = 'ConfigProactive-';
