/** Shared by ConfigPolicy and the rules stack (internal: not exported from the package). */

import { BUILT_IN_POLICY_IDS as IDS } from '../model/policies';

/** The built-in policies' ids (defined once in model/policies: the synth-time policies and the policy gate use them too). */
export const BUILT_IN_POLICY_IDS = [IDS.ec2InstanceInVpc, IDS.s3BucketEncrypted, IDS.lambdaTimeoutMaximum] as const;
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

