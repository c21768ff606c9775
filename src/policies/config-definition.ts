/** Shared by ConfigPolicy and the rules stack (internal: not exported from the package). */

/** The built-in policies' ids (shared with the synth-time policies and the policy gate). */
export const BUILT_IN_POLICY_IDS = ['EC2_INSTANCE_IN_VPC', 'S3_BUCKET_ENCRYPTED', 'LAMBDA_TIMEOUT_MAXIMUM'] as const;
export type BuiltInPolicyId = typeof BUILT_IN_POLICY_IDS[number];

/** What a ConfigPolicy deploys (internal). */
export interface ConfigRuleDefinition {
  readonly id: string;
  readonly kind: 'managed' | 'guard';
  /** Managed rule identifier, or Guard policy text. */
  readonly source: string;
  readonly resourceTypes: string[];
  readonly proactive: boolean;
  readonly inputParameters?: Record<string, string>;
}

