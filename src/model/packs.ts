/** The cdk-nag packs, by the rule-id prefix cdk-nag gives their findings (`<pack>-<rule>`). */
export const NAG_PACK_NAMES = {
  awsSolutions: 'AwsSolutions',
  nist80053R5: 'NIST.800.53.R5',
  pciDss321: 'PCI.DSS.321',
  hipaaSecurity: 'HIPAA.Security',
  serverless: 'Serverless',
} as const;

/** The compliance packs (every pack but AwsSolutions and Serverless), whose S3 replication rule the pipeline's buckets acknowledge. */
export const COMPLIANCE_PACK_NAMES: readonly string[] = [NAG_PACK_NAMES.nist80053R5, NAG_PACK_NAMES.pciDss321, NAG_PACK_NAMES.hipaaSecurity];
