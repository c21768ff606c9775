import * as path from 'path';
import { buildSync } from 'esbuild';

/**
 * Bundles the findings CLI to `outfile` with the options of the pre-compile task in .projenrc.ts
 * (the bundle the package ships), so a test never runs a stale bundle nor races another run over assets/.
 */
export function bundleFindingsCli(outfile: string): string {
  buildSync({
    entryPoints: [path.join(__dirname, '..', '..', 'src', 'findings', 'cli.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    minifySyntax: true,
    legalComments: 'none',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
