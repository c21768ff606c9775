import * as fs from 'fs';
import * as path from 'path';

/**
 * The AWS SDK clients are bundled into the findings CLI (dev dependencies), not installed with the
 * library: nothing the library's entry point loads may import them.
 */
const SRC = path.join(__dirname, '..', '..', 'src');

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  // Type-only imports are erased: they load nothing.
  return [...text.matchAll(/(?:^|\n)\s*(import|export)\s(?!type\s)[^;]*?from\s+'([^']+)'/g)].map((m) => m[2]);
}

function resolve(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const target = path.resolve(path.dirname(from), spec);
  return fs.existsSync(`${target}.ts`) ? `${target}.ts` : path.join(target, 'index.ts');
}

function loadedBy(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of importsOf(file)) {
      const local = resolve(file, spec);
      if (local) visit(local);
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

test('the library entry point loads no AWS SDK client (the proactive runtime stays in the CLI bundle)', () => {
  const { files, packages } = loadedBy(path.join(SRC, 'index.ts'));
  expect([...packages].filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
  // It does load the construct side of the Config rules and the proactive step.
  expect([...files].map((f) => path.relative(SRC, f))).toEqual(expect.arrayContaining([
    path.join('policies', 'config-rules.ts'), path.join('gates', 'config-proactive.ts'), path.join('findings', 'proactive-names.ts'),
  ]));
});

test('the check sees the SDK where it is: the findings CLI', () => {
  expect([...loadedBy(path.join(SRC, 'findings', 'cli.ts')).packages]).toContain('@aws-sdk/client-config-service');
});
