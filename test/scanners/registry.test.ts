import * as fs from 'fs';
import * as path from 'path';
import { allParsers } from '../../src/findings/parsers';
import { isSecretScanner } from '../../src/findings/parsers/sarif-severity';
import { REPORT_FORMATS } from '../../src/model/formats';
import { GATE_NAMES } from '../../src/model/gates';
import { gateEngine, gateEngines, SCANNERS } from '../../src/scanners';
import { InvocationContext } from '../../src/scanners/scanner';

const SCANNERS_DIR = path.join(__dirname, '..', '..', 'src', 'scanners');
const ENGINES = SCANNERS.flatMap((s) => s.engines.map((e) => [`${e.gate}/${e.id} (${s.name})`, s, e] as const));
const CONTEXT: InvocationContext = { reportDir: '/r', workDir: '/w', templatesDir: '/t', semgrepRules: ['/rules'], apiDefinition: 'api/openapi.yaml', imageRefExpression: '"$IMAGE_REF"' };

describe('the scanner registry', () => {
  test('every report format has a parser, and every parser reads one of the formats', () => {
    const parsed = new Set(allParsers().map((p) => p.format));
    expect([...REPORT_FORMATS].filter((f) => !parsed.has(f))).toEqual([]);
    expect([...parsed].filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f))).toEqual([]);
  });

  test.each(SCANNERS.map((s) => [s.name, s] as const))('%s is one descriptor file named after it, listed once', (name, scanner) => {
    const file = path.join(SCANNERS_DIR, `${name}.ts`);
    expect(fs.existsSync(file)).toBe(true);
    // The file exports the descriptor the registry holds.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.values(require(file) as Record<string, unknown>);
    expect(exported).toContain(scanner);
    expect(SCANNERS.filter((s) => s.name === name)).toHaveLength(1);
    expect(scanner.artifact.name).toBe(name);
  });

  test.each(ENGINES)('%s writes the report format it declares, which a parser reads', (_name, _scanner, engine) => {
    const invocation = engine.invoke(CONTEXT);
    expect(invocation.report.format).toBe(engine.report);
    expect(invocation.report.file.startsWith('/r/')).toBe(true);
    expect(allParsers().some((p) => p.format === engine.report)).toBe(true);
    expect(invocation.requires.length).toBeGreaterThan(0);
  });

  test('engine ids are unique within a gate, and every gate has engines', () => {
    for (const gate of GATE_NAMES) {
      const ids = gateEngines(gate).map((e) => e.id);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(() => gateEngine('secrets', 'nosuch')).toThrow(/no secrets engine 'nosuch' in the scanner registry \(gitleaks, trufflehog, secretlint\)/);
  });

  test('a secret scanner writing SARIF is read as one (its findings take the gate\'s secret severity)', () => {
    for (const e of gateEngines('secrets').filter((x) => x.report === 'sarif')) {
      expect(isSecretScanner(e.scanner.name)).toBe(true);
    }
  });

  test('the gates\' order of preference is the registry\'s', () => {
    expect(gateEngines('secrets').map((e) => e.id)).toEqual(['gitleaks', 'trufflehog', 'secretlint']);
    expect(gateEngines('sast').map((e) => e.id)).toEqual(['semgrep', 'bandit', 'spotbugs', 'eslint-security']);
    expect(gateEngines('sbom').map((e) => e.id)).toEqual(['trivy', 'cyclonedx-npm']);
    expect(gateEngines('iac').map((e) => e.id)).toEqual(['cfn-guard', 'checkov']);
    expect(gateEngines('dast').map((e) => e.id)).toEqual(['zap-baseline', 'zap-full', 'zap-api', 'wapiti']);
  });
});
