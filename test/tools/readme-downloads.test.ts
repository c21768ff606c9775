/**
 * The README's table of what each gate downloads names every download of the scanner descriptors
 * (src/scanners/<tool>.ts) at its pinned version, and its counts are the shipped files', so it cannot
 * go stale silently.
 */
import * as fs from 'fs';
import * as path from 'path';
import { IacScan } from '../../src';
import { ControlTowerRulesAsset } from '../../src/gates/control-tower-rules';
import { EslintEngineAsset } from '../../src/gates/eslint-engine';
import { SCANNERS } from '../../src/scanners';

const README = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const start = README.indexOf('<!-- downloads-table:');
const table = README.slice(start, README.indexOf('\n\n', start));
const rows = table.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Gate ')).map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));

describe('the README\'s downloads table', () => {
  test('is there, with a gate, a download, a size and whether it is cached on every row', () => {
    expect(start).toBeGreaterThan(0);
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) expect(r.map((c) => c.length > 0)).toEqual([true, true, true, true]);
  });

  test.each(SCANNERS.map((s) => [s.name, s] as const))('names %s at its pinned version', (_name, scanner) => {
    const t = scanner.artifact;
    const apt = scanner.install?.kind === 'apt' ? scanner.install.package : undefined;
    // A tool the gates install from the distribution is named as that package.
    const expected = apt ? [`${apt.package} ${apt.version}`] : [`${t.name} ${t.version}`];
    if (!apt && t.kind === 'npm') expected.push(...t.packages.map((p) => `${p.name} ${p.version}`));
    if (t.kind === 'archive') expected.push(...(t.extras ?? []).map((e) => e.url.substring(e.url.lastIndexOf('/') + 1)));
    expect(expected.filter((e) => !table.includes(e))).toEqual([]);
  });

  test('names the Control Tower rules\' source and counts, and the ESLint engine\'s package count, as shipped', () => {
    const manifest = ControlTowerRulesAsset.manifest();
    expect(table).toContain(`${manifest.source.package} ${manifest.source.version}`);
    expect(table).toContain(`the ${IacScan.defaultControlTowerRules().length} default rules`);
    expect(table).toContain(`all ${Object.keys(manifest.rules).length})`);
    const lock = JSON.parse(fs.readFileSync(path.join(EslintEngineAsset.DIRECTORY, 'package-lock.json'), 'utf8'));
    expect(table).toContain(`(${Object.keys(lock.packages).length - 1} tarballs)`);
  });
});
