import * as fs from 'fs';
import * as path from 'path';
import { CfnElement, CustomResourceProviderBase, IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as cr from 'aws-cdk-lib/custom-resources';
import { IConstruct } from 'constructs';
import { PolicySet } from './policy';
import { evaluatePolicies, PolicyTemplate } from '../findings/policy-engine';
import { ACKNOWLEDGED_RULES_METADATA } from '../findings/posture';
import { BUILT_IN_POLICY_IDS, INHERITED_ACKNOWLEDGMENTS_METADATA, POLICY_PLUGIN_NAME, policyAcknowledgmentId } from '../model/policies';

/** The policy engine this package ships (assets/policy-engine, built by `npx projen bundle:policy-engine`). */
export const POLICY_ENGINE_DIR = path.join(__dirname, '..', '..', 'assets', 'policy-engine');

/** Why CDK's own provider functions may run up to 900 s: acknowledged on their constructs, so both the synth check and the gate see it. */
export const PROVIDER_TIMEOUT_REASON = 'A CDK custom resource provider function (aws-cdk-lib), whose timeout CDK sets (up to 900 s) to wait on long CloudFormation operations; it is not application code.';

/**
 * Runs the policies at synth on chosen stacks: one plugin per app (a validation plugin of its own,
 * so it lives beside a user's CloudFormationValidatePlugin), with the policy sets and the stacks
 * each pipeline asks for. Its violations are errors: they fail synth whatever
 * `@aws-cdk/core:validateAgainstDefaultRules` says, unless acknowledged as
 * `devsecops-policies::<POLICY_ID>` on the construct or a scope above it.
 */
export class PolicyValidationPlugin implements IPolicyValidationPlugin {
  /** The app's plugin, created and registered on first use. */
  public static of(root: Stage): PolicyValidationPlugin {
    let plugin = PolicyValidationPlugin.plugins.get(root);
    if (!plugin) {
      plugin = new PolicyValidationPlugin();
      PolicyValidationPlugin.plugins.set(root, plugin);
      Validations.of(root).addPlugins(plugin);
    }
    return plugin;
  }

  private static readonly plugins = new WeakMap<Stage, PolicyValidationPlugin>();

  public readonly name = POLICY_PLUGIN_NAME;
  private readonly checks: Array<{ readonly policies: PolicySet; readonly stacks: () => string[] }> = [];

  private constructor() {}

  /** The policy ids of every set (analytics only). */
  public get ruleIds(): string[] {
    return [...new Set(this.checks.flatMap((c) => c.policies.ids))];
  }

  /** Checks the stacks at these construct paths (read when validation runs) against `policies`. */
  public addCheck(policies: PolicySet, stacks: () => string[]): void {
    this.checks.push({ policies, stacks });
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = [];
    for (const check of this.checks) {
      const wanted = new Set(check.stacks().map((p) => p.replace(/^\/+/, '')));
      const templates: PolicyTemplate[] = stackTemplatesOf(context)
        .filter((s) => wanted.has(s.stackConstructPath))
        .map((s) => ({
          file: s.templatePath,
          stackPath: s.stackConstructPath,
          constructPath: logicalIdPaths(context.appConstruct, s.stackConstructPath),
        }));
      const rules = check.policies._active().flatMap((p) => p._rules());
      for (const v of evaluatePolicies(POLICY_ENGINE_DIR, rules, templates)) {
        violations.push({
          ruleName: v.policy.id,
          description: v.text,
          fix: v.policy.fix,
          severity: 'error',
          violatingResources: [{
            resourceLogicalId: v.logicalId ?? '',
            templatePath: v.template.file,
            locations: v.property ? [`Properties/${v.property.split('.').join('/')}`] : [],
            ...(v.constructPath !== undefined && { constructPath: v.constructPath }),
          }],
        });
      }
    }
    return { success: violations.length === 0, violations };
  }
}

/**
 * The templates with their stacks' construct paths: `context.stackTemplates` where aws-cdk-lib
 * gives it, else read from each template's cloud assembly manifest (older aws-cdk-lib).
 */
function stackTemplatesOf(context: IPolicyValidationContext): Array<{ templatePath: string; stackConstructPath: string }> {
  const given = (context as { stackTemplates?: Array<{ templatePath: string; stackConstructPath: string }> }).stackTemplates;
  if (Array.isArray(given)) return given;
  return context.templatePaths.map((templatePath) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(path.dirname(templatePath), 'manifest.json'), 'utf8'));
    const artifact = Object.values<any>(manifest.artifacts ?? {}).find((a) => a?.properties?.templateFile === path.basename(templatePath));
    if (typeof artifact?.displayName !== 'string') throw new Error(`devsecops-policies: no stack in the cloud assembly for ${templatePath}`);
    return { templatePath, stackConstructPath: artifact.displayName };
  });
}

/** Construct paths by logical id in the stack at `stackPath`, from the construct tree (found on first use). */
function logicalIdPaths(root: IConstruct, stackPath: string): (logicalId: string) => string | undefined {
  let byId: Map<string, string> | undefined;
  return (logicalId) => {
    if (!byId) {
      byId = new Map();
      const stack = root.node.findAll().find((c) => Stack.isStack(c) && c.node.path === stackPath) as Stack | undefined;
      for (const c of stack?.node.findAll() ?? []) {
        if (CfnElement.isCfnElement(c) && Stack.of(c) === stack) byId.set(stack.resolve(c.logicalId), c.node.path);
      }
    }
    return byId.get(logicalId);
  };
}

/**
 * Prepares a Stage for the policy checks before it is synthesized (CDK Pipelines synthesizes a
 * Stage when it is added): CDK's own provider functions are acknowledged for the Lambda timeout
 * policy with a reason, and acknowledgments made above each stack (on the Stage or the App) are
 * recorded on the stack, so the cloud assembly holds every acknowledgment the gate must honour.
 */
export function preparePolicyScope(scope: IConstruct): void {
  acknowledgeProviderFunctions(scope);
  const stacks = scope.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  for (const stack of stacks) {
    const inherited: Record<string, Record<string, string>> = {};
    for (const above of stack.node.scopes.slice(0, -1)) {
      const acks = policyAcknowledgmentsOn(above);
      if (Object.keys(acks).length > 0) inherited[above.node.path] = acks;
    }
    if (Object.keys(inherited).length > 0) stack.node.addMetadata(INHERITED_ACKNOWLEDGMENTS_METADATA, inherited);
  }
}

/** The policy acknowledgments made on one construct (not its children), by id, with the reason. */
function policyAcknowledgmentsOn(c: IConstruct): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of c.node.metadata) {
    if (m.type !== ACKNOWLEDGED_RULES_METADATA || typeof m.data !== 'object' || m.data === null) continue;
    for (const [id, reason] of Object.entries(m.data as Record<string, unknown>)) {
      if (id.startsWith(`${POLICY_PLUGIN_NAME}::`) && typeof reason === 'string') out[id] = reason;
    }
  }
  return out;
}

/** Acknowledges the Lambda timeout policy on CDK's provider constructs (by type, not by name). */
function acknowledgeProviderFunctions(scope: IConstruct): void {
  const id = policyAcknowledgmentId(BUILT_IN_POLICY_IDS.lambdaTimeoutMaximum);
  for (const c of scope.node.findAll()) {
    if (c instanceof cr.Provider || c instanceof CustomResourceProviderBase) {
      if (policyAcknowledgmentsOn(c)[id] === undefined) Validations.of(c).acknowledge({ id, reason: PROVIDER_TIMEOUT_REASON });
    }
  }
}
