import { Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { commandsFor } from '../tools/install';
import { CDK_CLIS } from '../tools/tools';

/**
 * CDK Pipelines writes `npm install -g aws-cdk@2` (self-mutation), `npm install -g aws-cdk` (the
 * ConfirmPermissionsBroadening check) and `npm install -g cdk-assets@latest` (asset publishing) into
 * buildspecs it generates itself. Its `cliVersion` prop would pin the self-mutation version only,
 * not the content, and not the other two; so, once the pipeline is built, each such line is
 * replaced with the verified install of the tarball the tools table pins (downloaded, checked
 * against its sha512, installed without scripts). Any other global npm install left in one of these
 * generated buildspecs stops the synth: nothing is left floating silently. (The synth commands and
 * the user's own steps are the user's: they are not rewritten.)
 */
// Where CDK Pipelines creates the builds it writes itself, under the CodePipeline construct.
const GENERATED_SCOPES = ['UpdatePipeline', 'Assets', 'PipelinesSecurityCheck'];
// A whole command inside the JSON-serialized buildspec (CloudFormation tokens never fall inside one).
const CDK_PIPELINES_INSTALL = /"npm install -g (aws-cdk|cdk-assets)(@[^"\s]*)?"/g;
const GLOBAL_NPM_INSTALL = /\bnpm (?:install|i|add)\b[^"]*\s(?:-g|--global)\b/;

/** Replaces CDK Pipelines' floating CDK CLI installs in the CodeBuild projects it generates. */
export function pinCdkCliInstalls(pipeline: pipelines.CodePipeline): void {
  const stack = Stack.of(pipeline);
  const selfMutation = pipeline.selfMutationEnabled ? pipeline.selfMutationProject.node.defaultChild : undefined;
  let selfMutationPinned = false;
  let pinnedHere: string[] = [];
  const pin = (text: string): string => text.replace(CDK_PIPELINES_INSTALL, (_line, name: 'aws-cdk' | 'cdk-assets') => {
    pinnedHere.push(name);
    return JSON.stringify(commandsFor(CDK_CLIS[name])).slice(1, -1);
  });
  const generated = GENERATED_SCOPES.flatMap((id) => pipeline.node.tryFindChild(id)?.node.findAll() ?? []);
  for (const construct of generated) {
    if (!(construct instanceof codebuild.CfnProject)) continue;
    const source = stack.resolve(construct.source) as { buildSpec?: unknown } | undefined;
    const spec = source?.buildSpec;
    if (!JSON.stringify(spec ?? '').includes('npm install -g')) continue;
    pinnedHere = [];
    const pinned = mapStrings(spec, pin);
    if (construct === selfMutation && pinnedHere.includes('aws-cdk')) selfMutationPinned = true;
    const left = collectStrings(pinned).find((t) => GLOBAL_NPM_INSTALL.test(t.replace(/--global --ignore-scripts --no-audit --no-fund \/tmp\/devsecops-tools\/[^"\s]+\.tgz/g, '')));
    if (left !== undefined) {
      throw new Error(`${construct.node.path}: its buildspec installs an npm package globally with no pinned integrity, in a form this library does not know how to pin: ${left.substring(0, 200)}`);
    }
    construct.addPropertyOverride('Source.BuildSpec', pinned);
  }
  if (selfMutation !== undefined && !selfMutationPinned) {
    throw new Error('the self-mutation build has no `npm install -g aws-cdk` line to pin: CDK Pipelines changed how it installs the CDK CLI; update src/pipeline/cli-pins.ts');
  }
}

/** The value with every string in it (CloudFormation intrinsics included) passed through `f`. */
function mapStrings(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
  return value;
}

function collectStrings(value: unknown): string[] {
  const found: string[] = [];
  mapStrings(value, (s) => {
    found.push(s);
    return s;
  });
  return found;
}
