import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AppStage } from '../../examples/quickstart/app-stage';
import { DevSecOpsPipeline, DevSecOpsPipelineProps } from '../../src';
import { pipelineApp } from '../pipeline/support';

/** Every gate step id, as the pipeline names its actions. */
export const ALL_GATE_IDS = ['SecretScan', 'Sast', 'DependencyScan', 'Sbom', 'IacScan', 'DockerfileScan', 'PolicyCheck'] as const;
export type GateId = typeof ALL_GATE_IDS[number];
/**
 * The steps of the default gates: the SBOM (trivy) is judged in the SCA gate's build, with the
 * trivy it installed. `Sbom` is a step of its own only with another generator or the SCA gate off.
 * `PolicyCheck` is the policy gate (the pipeline's `policies`, on by default).
 */
export const GATE_IDS: readonly GateId[] = ['SecretScan', 'Sast', 'DependencyScan', 'IacScan', 'DockerfileScan', 'PolicyCheck'];
/** The gates the default steps judge, by the names evaluate gives them. */
export const GATE_NAMES_JUDGED = ['secrets', 'sast', 'dependencies', 'sbom', 'iac', 'dockerfile', 'policies'];

export interface GateBuild {
  readonly logicalId: string;
  readonly project: any;
  readonly buildspec: any;
  readonly install: string[];
  readonly build: string[];
}

export interface Synthesized {
  readonly stack: Stack;
  readonly pipeline: DevSecOpsPipeline;
  readonly template: Template;
  readonly gates: Partial<Record<GateId, GateBuild>>;
}

/** A pipeline with an application Stage, synthesized; its gates' projects and buildspecs. */
export function synthGates(props: Partial<DevSecOpsPipelineProps> = {}): Synthesized {
  const { app, stack, pipeline } = pipelineApp(props);
  pipeline.addStage(new AppStage(app, 'Staging'));
  const template = Template.fromStack(stack);
  const gates: Partial<Record<GateId, GateBuild>> = {};
  for (const [logicalId, project] of Object.entries<any>(template.findResources('AWS::CodeBuild::Project'))) {
    const id = ALL_GATE_IDS.find((g) => new RegExp(`SecurityGates${g}[0-9A-F]{8}$`).test(logicalId));
    if (!id) continue;
    const buildspec = JSON.parse(flatten(project.Properties.Source.BuildSpec));
    gates[id] = {
      logicalId,
      project,
      buildspec,
      install: buildspec.phases?.install?.commands ?? [],
      build: buildspec.phases?.build?.commands ?? [],
    };
  }
  return { stack, pipeline, template, gates };
}

/** A CloudFormation string value as text; intrinsics become `<TOKEN:...>` placeholders. */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v && Array.isArray(v['Fn::Join'])) {
    const [sep, parts] = v['Fn::Join'];
    return (parts as unknown[]).map(flatten).join(sep);
  }
  return `<TOKEN:${JSON.stringify(value).replace(/"/g, '')}>`;
}

/** Every command of a buildspec, install phase first. */
export function commandsOf(gate: GateBuild): string[] {
  return [...gate.install, ...gate.build];
}

/** The pipeline's stages, each with its actions' names and run orders. */
export function stagesOf(template: Template): Array<{ name: string; actions: Array<{ name: string; runOrder: number }> }> {
  const pipelines = Object.values<any>(template.findResources('AWS::CodePipeline::Pipeline'));
  return pipelines[0].Properties.Stages.map((s: any) => ({
    name: s.Name,
    actions: s.Actions.map((a: any) => ({ name: a.Name, runOrder: a.RunOrder ?? 1 })),
  }));
}
