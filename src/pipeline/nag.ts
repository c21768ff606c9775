import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation, Stage, Validations } from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NagPack,
  NIST80053R5Checks,
  PCIDSS321Checks,
  ServerlessChecks,
} from 'cdk-nag';
import { IConstruct } from 'constructs';
import { NAG_PACK_NAMES } from '../model/packs';

/**
 * A cdk-nag rule pack, applied by `DevSecOpsPipeline` to the pipeline itself and to the
 * application Stages it deploys.
 *
 * Use the constants, e.g. `CompliancePack.AWS_SOLUTIONS` or `CompliancePack.NIST_800_53_R5`.
 */
export class CompliancePack {
  /** AWS Solutions (cdk-nag `AwsSolutionsChecks`). */
  public static readonly AWS_SOLUTIONS = new CompliancePack(NAG_PACK_NAMES.awsSolutions, () => new AwsSolutionsChecks());

  /** NIST 800-53 rev 5 (cdk-nag `NIST80053R5Checks`). */
  public static readonly NIST_800_53_R5 = new CompliancePack(NAG_PACK_NAMES.nist80053R5, () => new NIST80053R5Checks());

  /** PCI DSS 3.2.1 (cdk-nag `PCIDSS321Checks`). */
  public static readonly PCI_DSS_3_2_1 = new CompliancePack(NAG_PACK_NAMES.pciDss321, () => new PCIDSS321Checks());

  /** HIPAA Security (cdk-nag `HIPAASecurityChecks`). */
  public static readonly HIPAA_SECURITY = new CompliancePack(NAG_PACK_NAMES.hipaaSecurity, () => new HIPAASecurityChecks());

  /** Serverless (cdk-nag `ServerlessChecks`). */
  public static readonly SERVERLESS = new CompliancePack(NAG_PACK_NAMES.serverless, () => new ServerlessChecks());

  /** The five packs the pipeline's own resources are held to. */
  public static all(): CompliancePack[] {
    return [
      CompliancePack.AWS_SOLUTIONS,
      CompliancePack.NIST_800_53_R5,
      CompliancePack.PCI_DSS_3_2_1,
      CompliancePack.HIPAA_SECURITY,
      CompliancePack.SERVERLESS,
    ];
  }

  private constructor(
    /** The pack's name, which prefixes its rule ids (e.g. `AwsSolutions` in `AwsSolutions-S1`). */
    public readonly packName: string,
    private readonly factory: () => NagPack,
  ) {}

  /** @internal */
  public _createPack(): NagPack {
    return this.factory();
  }
}

/**
 * Runs one cdk-nag pack on chosen parts of the app only.
 *
 * cdk-nag v3 packs walk the whole construct tree they are given (`context.appConstruct`
 * is always the App, even for a plugin registered on a nested Stage), so a pack added with
 * `Validations.of(app)` checks every Stage of the app, and one added to a Stage checks the
 * whole app too. This plugin gives the pack only the scopes it is asked to check: the
 * pipeline's constructs for the five packs we promise, the deployed Stages for `nagPacks`.
 * Scopes are read when validation runs, so Stages added after construction are included.
 */
export class ScopedNagPlugin implements IPolicyValidationPlugin {
  /**
   * The plugin of a pack for an app, created and registered on first use. One plugin per pack
   * per app, whatever the number of pipelines, keeps validation linear in the app's size.
   */
  public static of(root: Stage, pack: CompliancePack): ScopedNagPlugin {
    let byPack = ScopedNagPlugin.plugins.get(root);
    if (!byPack) {
      byPack = new Map();
      ScopedNagPlugin.plugins.set(root, byPack);
    }
    let plugin = byPack.get(pack.packName);
    if (!plugin) {
      plugin = new ScopedNagPlugin(pack);
      byPack.set(pack.packName, plugin);
      Validations.of(root).addPlugins(plugin);
    }
    return plugin;
  }

  private static readonly plugins = new WeakMap<Stage, Map<string, ScopedNagPlugin>>();

  public readonly name: string;
  public readonly version?: string;
  private readonly pack: NagPack;
  private readonly scopeProviders: Array<() => IConstruct[]> = [];

  private constructor(pack: CompliancePack) {
    this.pack = pack._createPack();
    this.name = pack.packName;
    this.version = this.pack.version;
  }

  /** Adds scopes to check; the function is called when validation runs. */
  public addScopes(scopes: () => IConstruct[]): void {
    this.scopeProviders.push(scopes);
  }

  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    const byRule = new Map<string, PolicyViolation>();
    const seen = new Set<string>();
    for (const scope of this.scopeProviders.flatMap((provider) => provider())) {
      // A scope given twice is checked once.
      if (seen.has(scope.node.path)) continue;
      seen.add(scope.node.path);
      for (const v of this.pack.validateScope(scope).violations) {
        const existing = byRule.get(v.ruleName);
        if (existing) {
          existing.violatingResources.push(...v.violatingResources);
        } else {
          byRule.set(v.ruleName, { ...v, violatingResources: [...v.violatingResources] });
        }
      }
    }
    const violations = [...byRule.values()];
    // Warnings are reported; only errors fail synthesis.
    return { success: violations.every((v) => v.severity !== 'error'), violations };
  }
}
