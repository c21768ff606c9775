import * as fs from 'fs';
import * as path from 'path';

/**
 * The layers of src/ (DESIGN.md), bottom first. A module may import its own layer and the ones
 * below it, never one above; the runtime layers (bundled into the findings CLI) import no
 * construct code and no aws-cdk-lib or constructs.
 */
const LAYERS: Array<{ name: string; dirs: string[]; runtime: boolean }> = [
  { name: 'model', dirs: ['model'], runtime: true },
  { name: 'tools', dirs: ['tools'], runtime: true },
  { name: 'scanners', dirs: ['scanners'], runtime: true },
  { name: 'findings', dirs: ['findings'], runtime: true },
  { name: 'policies', dirs: ['policies'], runtime: false },
  { name: 'gates', dirs: ['gates'], runtime: false },
  { name: 'pipeline', dirs: ['pipeline'], runtime: false },
  { name: 'index', dirs: ['.'], runtime: false },
];

const SRC = path.join(__dirname, '..', 'src');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): number {
  const top = path.relative(SRC, file).split(path.sep);
  const dir = top.length === 1 ? '.' : top[0];
  const i = LAYERS.findIndex((l) => l.dirs.includes(dir));
  if (i < 0) throw new Error(`${file}: in no layer; add its directory to LAYERS (and DESIGN.md)`);
  return i;
}

/** Every module specifier a file imports or re-exports (type-only imports included: they are a dependency too). */
function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g), ...text.matchAll(/\bimport\('([^']+)'\)/g)].map((m) => m[1]);
}

const ALL = files(SRC);

describe('layers import one way', () => {
  test.each(ALL.map((f) => [path.relative(SRC, f), f]))('%s imports only its layer and the ones below', (_rel, file) => {
    const mine = layerOf(file);
    const upward = imports(file)
      .filter((s) => s.startsWith('.'))
      .map((s) => path.resolve(path.dirname(file), s))
      .map((target) => (fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts')))
      .filter((target) => layerOf(target) > mine)
      .map((target) => `${path.relative(SRC, target)} (${LAYERS[layerOf(target)].name})`);
    expect(upward).toEqual([]);
  });

  test.each(ALL.filter((f) => LAYERS[layerOf(f)].runtime).map((f) => [path.relative(SRC, f), f]))('%s (runtime) imports no aws-cdk-lib or constructs', (_rel, file) => {
    expect(imports(file).filter((s) => /^(aws-cdk-lib|constructs|cdk-nag)(\/|$)/.test(s))).toEqual([]);
  });

  test('the check sees an upward import (the gates layer above scanners)', () => {
    const gate = ALL.find((f) => f.endsWith(path.join('gates', 'sast.ts')))!;
    const scanner = ALL.find((f) => f.endsWith(path.join('scanners', 'index.ts')))!;
    expect(layerOf(gate)).toBeGreaterThan(layerOf(scanner));
    expect(imports(gate)).toContain('../scanners');
  });
});
