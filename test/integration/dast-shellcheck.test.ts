/**
 * shellcheck (Debian package; .ci/run installs it) over the commands of the DAST builds, one per
 * engine and shape (ZAP baseline with rules and authentication, full scan, API scan from a
 * repository file, a path on the target and a URL; wapiti with modules): zero findings at style level.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Dast, ZapApiFormat, ZapRuleAction } from '../../src';
import { dastPipeline } from '../gates/dast-support';
import { commandsOf } from '../gates/support';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:staging/dast-token-AbCdEf';
const SHAPES: Array<[string, (url: CfnOutput, stack: Stack) => Dast]> = [
  ['zap baseline, rules, bearer token', (url, stack) => Dast.zapBaseline({
    targetUrl: url,
    zapRules: { 10038: ZapRuleAction.WARN, 10020: ZapRuleAction.IGNORE },
    authSecret: secretsmanager.Secret.fromSecretCompleteArn(stack, 'Token', SECRET_ARN),
    authHeaderName: 'X-Api-Key',
    maxScanTime: Duration.minutes(5),
  })],
  ['zap full scan', (url) => Dast.zapFullScan({ targetUrl: url })],
  ['zap api scan, repository file', (url) => Dast.zapApiScan({ targetUrl: url, apiDefinition: 'api/openapi.yaml' })],
  ['zap api scan, path on the target', (url) => Dast.zapApiScan({ targetUrl: url, apiDefinition: '/v1/openapi.json' })],
  ['zap api scan, URL', (url) => Dast.zapApiScan({ targetUrl: url, apiDefinition: 'https://api.example.com/graphql', apiFormat: ZapApiFormat.GRAPHQL })],
  ['wapiti with modules', (url) => Dast.wapiti({ targetUrl: url, modules: ['xss', 'sql', '-nikto'] })],
];

describe('every DAST buildspec', () => {
  test.each(SHAPES)('%s: shellcheck finds nothing in the commands', (_name, dast) => {
    const { builds } = dastPipeline(dast);
    expect(builds).toHaveLength(1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dast-shellcheck-'));
    const script = path.join(dir, 'buildspec.sh');
    const body = commandsOf(builds[0]).map((c) => c.replace(/<TOKEN:[^>]*>/g, 'cfn-token')).join('\n');
    // Variables the build's environment sets: the target URL (the Stage's output) and the secret's variable.
    const provided = ['DAST_TARGET_URL', ...(body.includes('DAST_AUTH_VALUE') ? ['DAST_AUTH_VALUE'] : [])];
    fs.writeFileSync(script, `#!/usr/bin/env bash\n${provided.map((v) => `: "\${${v}:?set by CodeBuild}"`).join('\n')}\n${body}\n`);
    const r = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '--format=gcc', script], { encoding: 'utf8' });
    if (r.error) throw new Error(`shellcheck is not installed (apt-get install -y shellcheck): ${r.error.message}`);
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
