/**
 * The types the CLI's commands share (`main` in cli.ts, `scan` in scan.ts, `posture` in
 * posture-cli.ts), in a module of their own so that the commands need not import cli.ts.
 */

/** Where the CLI writes; injectable so that tests can run `main` in process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** Runs another command of this CLI (evaluate, summary) in this process; resolves to its exit code. */
export type RunCommand = (argv: string[], io: Io) => Promise<number>;
