/**
 * Gate configurations that together use every engine of every gate, and their builds: what the
 * buildspec tests read (test/gates/buildspecs.test.ts, test/integration/shellcheck.test.ts).
 */
import { GateBuild, synthGates } from './support';
import { DependencyScan, DockerfileScan, IacScan, PipelineSource, Sast, SastEngine, Sbom, SecretScan } from '../../src';
import { CONNECTION_ARN } from '../pipeline/support';

const fullClone = PipelineSource.connection('my-org/my-app', 'main', { connectionArn: CONNECTION_ARN, fullClone: true });

// Together these use every engine of every gate.
export const CONFIGS: Array<[string, Parameters<typeof synthGates>[0]]> = [
  ['defaults', {}],
  ['hadolint, discovered Dockerfiles', { gates: { dockerfile: DockerfileScan.baseImagePolicy({ hadolint: true }) } }],
  ['history, explicit engines', {
    source: fullClone,
    gates: {
      secrets: SecretScan.trufflehog(),
      sast: Sast.engines([SastEngine.semgrep(), SastEngine.bandit(), SastEngine.spotbugs(), SastEngine.eslintSecurity()]),
      sbom: Sbom.cyclonedxNpm(),
      iac: IacScan.checkov(),
    },
  }],
  ['secretlint, user rules', {
    source: fullClone,
    gates: {
      secrets: SecretScan.secretlint(),
      sast: Sast.semgrep({ ruleFiles: ['rules/semgrep'] }),
      dependencies: DependencyScan.trivy({ ignoreUnfixed: true }),
      iac: IacScan.cfnGuard({ rules: ['policies/guard', 'policies/extra.guard'] }),
      dockerfile: DockerfileScan.baseImagePolicy({
        dockerfiles: ['services/api/Dockerfile', 'worker.Dockerfile'],
        officialImages: ['node', 'python'],
        buildArgs: { NODE_VERSION: '22', BASE: 'gcr.io/distroless/nodejs22-debian12' },
        requireDigest: false,
        hadolint: true,
      }),
      suppressionsFile: 'security/suppressions.yaml',
    },
  }],
  // Paths with shell metacharacters: they must reach the commands single-quoted (shellcheck checks the result).
  ['hostile paths', {
    gates: {
      sast: Sast.semgrep({ ruleFiles: ['$(id)', 'a\'b', 'x\ntrue', '`id`', 'a b;true'] }),
      iac: IacScan.cfnGuard({ rules: ['$(id)', 'a\'b', '`id`'] }),
      dockerfile: DockerfileScan.baseImagePolicy({ dockerfiles: ['$(id)', 'a\'b', 'x\ntrue'], buildArgs: { A: '$(id)\'`id`;true', B: 'a b\nc' }, hadolint: true }),
      suppressionsFile: 'a\'b $(id)\n`id`;true',
    },
  }],
];

/** `[name, build]` of every gate of every configuration, named `config: GateId`. */
export function allEngineBuilds(): Array<[string, GateBuild]> {
  return CONFIGS.flatMap(([name, props]) =>
    Object.entries(synthGates(props).gates).map(([id, g]) => [`${name}: ${id}`, g!] as [string, GateBuild]));
}
