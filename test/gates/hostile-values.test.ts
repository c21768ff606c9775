/**
 * Values from JavaScript or Python are not held to the TypeScript types: every enum-like prop
 * is checked at construction (an error naming the prop, the value and the fix), and every
 * free-form path reaches the buildspec only single-quoted.
 */
import { commandsOf, synthGates } from './support';
import { DependencyScan, IacScan, Sast, SastEngine, Sbom, SecretScan, Severity } from '../../src';
import { shellQuote } from '../../src/scanners/steps';

/** Strings that end, chain or substitute a shell command when written unquoted. */
const HOSTILE = ['HIGH;true', '$(id)', 'a\'b', 'HIGH\ntrue', '`id`', 'HIGH && true', 'HIGH #'];

// Any string can arrive where the types say enum member.
const any = (v: unknown): any => v;

describe('enum-like props with hostile values: construction fails naming the prop and the value', () => {
  const cases: Array<[string, (v: string) => unknown, RegExp]> = [
    ['gates.failOn', (v) => synthGates({ gates: { failOn: any(v) } }), /DevSecOpsPipeline: invalid props[^]*gates\.failOn: /],
    ['SecretScan failOn', (v) => SecretScan.gitleaks({ failOn: any(v) }), /SecretScan\.gitleaks: invalid props[^]*failOn: /],
    ['secretSeverity', (v) => SecretScan.trufflehog({ secretSeverity: any(v) }), /SecretScan\.trufflehog: invalid props[^]*secretSeverity: /],
    ['Sast failOn', (v) => Sast.detect({ failOn: any(v) }), /Sast\.detect: invalid props[^]*failOn: /],
    ['Sast.engines', (v) => Sast.engines([SastEngine.bandit(), any(v)]), /Sast\.engines: invalid props[^]*engines\[1\]: /],
    ['DependencyScan failOn', (v) => DependencyScan.trivy({ failOn: any(v) }), /DependencyScan\.trivy: invalid props[^]*failOn: /],
    ['Sbom failOn', (v) => Sbom.trivy({ failOn: any(v) }), /Sbom\.trivy: invalid props[^]*failOn: /],
    ['Sbom cyclonedx-npm failOn', (v) => Sbom.cyclonedxNpm({ failOn: any(v) }), /Sbom\.cyclonedxNpm: invalid props[^]*failOn: /],
    ['IacScan failOn', (v) => IacScan.cfnGuard({ failOn: any(v) }), /IacScan\.cfnGuard: invalid props[^]*failOn: /],
    ['controlTowerRules', (v) => IacScan.cfnGuard({ controlTowerRules: ['ct-s3-pr-1', v] }), /IacScan\.cfnGuard: invalid props[^]*controlTowerRules: /],
    ['checkov failOn', (v) => IacScan.checkov({ failOn: any(v) }), /IacScan\.checkov: invalid props[^]*failOn: /],
  ];

  test.each(cases.flatMap(([name, make, message]) => HOSTILE.map((v) => [name, v, make, message] as const)))(
    '%s = %j', (_name, value, make, message) => {
      let error: Error | undefined;
      try {
        make(value);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).toMatch(message);
      // The value, escaped so a newline shows, and the fix.
      expect(error!.message).toContain(`'${JSON.stringify(value).slice(1, -1)}'`);
      expect(error!.message).toMatch(/: use /);
    });

  test('every problem is listed in one error', () => {
    expect(() => SecretScan.gitleaks({ failOn: any('HIGH;true'), secretSeverity: any('$(id)'), suppressionsFile: '' }))
      .toThrow(/invalid props \(3\)[^]*failOn: 'HIGH;true'[^]*suppressionsFile: ''[^]*secretSeverity: '\$\(id\)'/);
  });

  test('a gate not made by its factory is named', () => {
    expect(() => synthGates({ gates: { secrets: any('gitleaks'), sast: any({ _engines: ['$(id)'] }) } }))
      .toThrow(/invalid props \(2\)[^]*gates\.secrets: 'gitleaks' is not made by a SecretScan factory[^]*gates\.sast: /);
  });

  test('every valid value still constructs', () => {
    for (const s of Object.values(Severity)) {
      expect(() => SecretScan.gitleaks({ failOn: s, secretSeverity: s })).not.toThrow();
    }
    expect(() => [Sbom.trivy(), Sbom.cyclonedxNpm()]).not.toThrow();
    expect(() => Sast.engines([SastEngine.semgrep(), SastEngine.bandit(), SastEngine.spotbugs(), SastEngine.eslintSecurity()])).not.toThrow();
  });
});

describe('free-form paths with hostile values reach the buildspec only single-quoted', () => {
  const paths = ['$(id)', 'a\'b', 'x\ntrue', '`id`', 'a b;true', '-rf *'];
  const s = synthGates({
    gates: {
      suppressionsFile: paths[0],
      secrets: SecretScan.gitleaks({ suppressionsFile: paths[1] }),
      sast: Sast.semgrep({ ruleFiles: paths, suppressionsFile: paths[2] }),
      iac: IacScan.cfnGuard({ rules: paths, suppressionsFile: paths[3] }),
    },
  });
  const text = Object.values(s.gates).map((g) => commandsOf(g!).join('\n')).join('\n');

  test.each(paths)('%j', (p) => {
    const quoted = shellQuote(p);
    expect(text).toContain(quoted);
    // Nowhere else: with every quoted occurrence removed, the raw value is gone.
    expect(text.split(quoted).join('')).not.toContain(p);
  });

  test('the evaluate lines name each gate\'s suppressions file quoted', () => {
    const evaluate = (id: 'SecretScan' | 'Sast' | 'DependencyScan' | 'IacScan') => s.gates[id]!.build.find((l) => l.includes(' evaluate '))!;
    expect(evaluate('SecretScan')).toContain(`--suppressions ${shellQuote(paths[1])} `);
    expect(evaluate('Sast')).toContain(`--suppressions ${shellQuote(paths[2])} `);
    expect(evaluate('IacScan')).toContain(`--suppressions ${shellQuote(paths[3])} `);
    expect(evaluate('DependencyScan')).toContain(`--suppressions ${shellQuote(paths[0])} `);
  });
});
