import type { Scanner } from './scanner';
import { Arg, exec } from './steps';
import { templateArgs } from './templates';

const VERSION = '3.2.0';

/** The AWS Control Tower proactive controls the IaC gate applies by default. */
// Public exposure, TLS, admin and full-access IAM policies, key rotation, plaintext credentials and
// open ports. Controls that are choices rather than flaws (object lock, event notifications,
// lifecycle rules, Lambda in a VPC, SSE-KMS on log buckets that S3 requires to be SSE-S3) are
// left to `controlTowerRules`.
export const DEFAULT_CONTROL_TOWER_RULES: readonly string[] = [
  'ct-s3-pr-1', // bucket-level Block Public Access
  'ct-s3-pr-8', // bucket policy requires TLS
  'ct-s3-pr-12', // access points block public access
  'ct-iam-pr-1', // inline policies: no admin access
  'ct-iam-pr-2', // managed policies: no admin access
  'ct-iam-pr-3', // managed policies: no full access to a service
  'ct-iam-pr-4', // no policies attached to IAM users
  'ct-iam-pr-5', // inline policies: no full access to a service
  'ct-kms-pr-1', // key rotation
  'ct-lambda-pr-2', // functions not public
  'ct-lambda-pr-4', // layers not public
  'ct-lambda-pr-5', // function URLs require IAM auth
  'ct-codebuild-pr-2', // no AWS credentials in build environment variables
  'ct-ec2-pr-4', // security groups: no unrestricted common ports
  'ct-ec2-pr-5', // network ACLs: no unrestricted SSH or RDP
  'ct-rds-pr-23', // RDS instances not public
  'ct-rds-pr-24', // RDS instance storage encrypted
  'ct-rds-pr-29', // RDS clusters not public
];

/**
 * cfn-guard over CloudFormation templates: every rule directory of the gate's own
 * (`builtinRuleDirs`, the Control Tower rules) and every rule file of the user's (`ruleFiles`,
 * always quoted).
 */
export const cfnGuard: Scanner = {
  name: 'cfn-guard',
  artifact: {
    kind: 'archive',
    name: 'cfn-guard',
    version: VERSION,
    download: {
      url: `https://github.com/aws-cloudformation/cloudformation-guard/releases/download/${VERSION}/cfn-guard-v3-x86_64-ubuntu-latest.tar.gz`,
      sha256: '9f8c4d9f15f7dd54a37ea70a5237ba00aba682fb1e6521a744d12259961dfc13',
      sha256Source: 'a devcontainer feature install script citing the 3.2.0 release page; matched by a deployment guide pinning the same archive',
      format: 'tar.gz',
    },
    binaries: { 'cfn-guard-v3-x86_64-ubuntu-latest/cfn-guard': 'cfn-guard' },
  },
  engines: [{
    gate: 'iac',
    id: 'cfn-guard',
    report: 'sarif',
    invoke: (o) => {
      const file = `${o.reportDir}/cfn-guard.sarif`;
      const rules: Arg[] = [...(o.builtinRuleDirs ?? []).flatMap((r) => ['--rules', r]), ...(o.ruleFiles ?? []).flatMap((r) => ['--rules', { quoted: r }])];
      return {
        requires: ['cfn-guard'],
        // cfn-guard exits 19 when a rule fails: only other codes are errors.
        steps: [exec(['cfn-guard', 'validate', ...templateArgs(o, '--data', '--data'), ...rules, '--output-format', 'sarif', '--structured', '--show-summary', 'none'], { stdout: file, okExitCode: 19 })],
        report: { file, format: 'sarif' },
      };
    },
  }],
};
