/**
 * `devsecops-findings posture`: the weakening check. Compares the running pipeline's posture (a
 * file the check's build writes from its own definition) with the commit's cloud assembly, and
 * writes what weakened for the approval that follows.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import { join } from 'path';
import { parseArgs } from 'util';
import type { Io } from './cli-io';
import { compare, parsePosture, postureFromAssembly, PostureError } from './posture';

/** The check's outputs, in --out DIR. */
export const POSTURE_OUTPUTS = {
  /** `true` or `false`: exported as the WEAKENED variable the approval stage's condition reads. */
  weakened: 'weakened',
  /** One line, at most WEAKENINGS_MAX characters: exported for the approval's text. */
  line: 'weakenings.txt',
  /** Markdown for people. */
  summary: 'posture.md',
} as const;

/** CodePipeline keeps an exported variable's value short: the one-line list is cut to this. */
export const WEAKENINGS_MAX = 900;

export const POSTURE_HELP = `posture: the weakening check. Compares the running pipeline's posture with the commit's
  cloud assembly; writes to --out DIR: ${POSTURE_OUTPUTS.weakened} (true or false), ${POSTURE_OUTPUTS.line} (one line
  for the approval) and ${POSTURE_OUTPUTS.summary}.
  --before FILE             the running pipeline's posture (JSON, written by the pipeline's own check build)
  --assembly DIR            the commit's cloud assembly (cdk.out)
  --out DIR                 where to write the outputs
  Exit codes: 0 compared (weakened or not: the approval decides); 2 bad input or an unreadable assembly.`;

/** Runs `posture`; resolves to the exit code. */
export function posture(args: string[], io: Io): number {
  const { values } = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: { before: { type: 'string' }, assembly: { type: 'string' }, out: { type: 'string' } },
  });
  try {
    const missing = (['before', 'assembly', 'out'] as const).filter((k) => values[k] === undefined);
    if (missing.length > 0) throw new PostureError(`${missing.map((k) => `--${k}`).join(', ')} required`);
    const before = parsePosture(readFileSync(values.before!, 'utf8'), values.before!);
    if (!statSync(values.assembly!, { throwIfNoEntry: false })?.isDirectory()) throw new PostureError(`--assembly ${values.assembly}: not a directory`);
    const weakenings = compare(before, postureFromAssembly(values.assembly!, before.pipelinePath));
    mkdirSync(values.out!, { recursive: true });
    const line = weakenings.length === 0 ? 'nothing weakened' : weakenings.map((w) => w.message).join('; ');
    writeFileSync(join(values.out!, POSTURE_OUTPUTS.weakened), weakenings.length > 0 ? 'true' : 'false');
    writeFileSync(join(values.out!, POSTURE_OUTPUTS.line), line.length > WEAKENINGS_MAX ? `${line.slice(0, WEAKENINGS_MAX - 1)}…` : line);
    const summary = [
      '# Pipeline security posture',
      '',
      weakenings.length === 0
        ? 'This commit weakens nothing in the pipeline\'s own security: no approval needed.'
        : 'This commit **weakens** the pipeline\'s own security. The pipeline waits for a manual approval before it updates itself:',
      '',
      ...weakenings.map((w) => `- ${w.message} (\`${w.kind}\`)`),
    ].join('\n');
    writeFileSync(join(values.out!, POSTURE_OUTPUTS.summary), `${summary}\n`);
    io.out(`${summary}\n`);
    return 0;
  } catch (e) {
    if (!(e instanceof PostureError) && (e as NodeJS.ErrnoException).code === undefined) throw e;
    io.err(`devsecops-findings posture: ${(e as Error).message}\n`);
    return 2;
  }
}
