/**
 * The scanner registry: every scanner descriptor, one line each. The gates and the local `scan`
 * find scanners only here. Within a gate, the order is the order of preference (the local scan
 * runs the first one installed).
 *
 * Adding a scanner: a file `src/scanners/<tool>.ts` exporting its `Scanner`, a line below, and
 * its tests (see DESIGN.md, "Adding a scanner").
 */
import { bandit } from './bandit';
import { cfnGuard } from './cfn-guard';
import { checkov } from './checkov';
import { cyclonedxNpm } from './cyclonedx-npm';
import { eslint } from './eslint';
import { gitleaks } from './gitleaks';
import { grype } from './grype';
import type { Scanner, ScannerEngine } from './scanner';
import { secretlint } from './secretlint';
import { semgrep } from './semgrep';
import { spotbugs } from './spotbugs';
import { trivy } from './trivy';
import { trufflehog } from './trufflehog';
import type { EngineGate } from '../model/gates';
import type { Tool } from '../tools/tools';

/** Every scanner, in each gate's order of preference. */
export const SCANNERS: readonly Scanner[] = [
  gitleaks,
  trufflehog,
  secretlint,
  semgrep,
  bandit,
  spotbugs,
  eslint,
  trivy,
  cyclonedxNpm,
  cfnGuard,
  checkov,
  grype,
];

/** An engine with the scanner that provides it. */
export interface RegisteredEngine extends ScannerEngine {
  readonly scanner: Scanner;
}

/** The engines of a gate, in its order of preference. */
export function gateEngines(gate: EngineGate): RegisteredEngine[] {
  return SCANNERS.flatMap((scanner) => scanner.engines.filter((e) => e.gate === gate).map((e) => ({ ...e, scanner })));
}

/** One engine of a gate by its id; throws naming the gate's engines when there is none. */
export function gateEngine(gate: EngineGate, id: string): RegisteredEngine {
  const engines = gateEngines(gate);
  const found = engines.find((e) => e.id === id);
  if (!found) throw new Error(`no ${gate} engine '${id}' in the scanner registry (${engines.map((e) => e.id).join(', ')})`);
  return found;
}

/** Every pinned artifact, by scanner name (derived from the descriptors: the README and the tests list them). */
export const TOOLS: Readonly<Record<string, Tool>> = Object.fromEntries(SCANNERS.map((s) => [s.name, s.artifact]));
