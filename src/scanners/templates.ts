import type { InvocationContext } from './scanner';
import type { Arg } from './steps';

/**
 * The template arguments of an IaC scanner: a directory of templates (`templatesDir`, the
 * pipeline's collected cloud assembly) or the files themselves (`templateFiles`, the local scan,
 * always quoted), each behind its flag. Exactly one of the two must be given.
 */
export function templateArgs(o: InvocationContext, flagForDir: string, flagForFile: string): Arg[] {
  if ((o.templatesDir === undefined) === (o.templateFiles === undefined)) throw new Error('IaC scanner: give templatesDir or templateFiles');
  return o.templatesDir !== undefined
    ? [flagForDir, o.templatesDir]
    : (o.templateFiles ?? []).flatMap((t) => [flagForFile, { quoted: t }]);
}
