/**
 * A scanner's command lines as data: one description, two runners. The gates render it to bash
 * for their buildspecs (`shellLines`); the local `scan` runs it with spawn (no shell unless a step
 * needs one). Every invocation runs with the scanned directory as its working directory.
 */
import type { ReportFormat } from '../model/formats';

/** An argument the shell form always single-quotes (a user's path), whatever its characters. */
export interface QuotedArg {
  readonly quoted: string;
}

/** A command-line argument: plain (quoted in the shell form only when it needs it) or always quoted. */
export type Arg = string | QuotedArg;

/** Runs a program with arguments (no shell). */
export interface ExecStep {
  readonly kind: 'exec';
  readonly argv: Arg[];
  /** The report is the program's standard output, written to this file. */
  readonly stdout?: string;
  /** Exit codes that mean "ran and reported" besides 0 (e.g. 1: findings). Any other code is an error. */
  readonly okExitCode?: number;
  /** Environment variables set for this program only (over whatever the build or the user's shell set). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Writes a small file the scanner reads (its configuration). */
export interface WriteStep {
  readonly kind: 'write';
  readonly file: string;
  readonly content: string;
}

/** A bash script, for the steps that need bash itself (arrays, command substitution). */
export interface ShellStep {
  readonly kind: 'shell';
  readonly script: string;
}

export type ScanStep = ExecStep | WriteStep | ShellStep;

/** A scanner's native report: the file and the findings CLI format that reads it. */
export interface ScannerReport {
  readonly file: string;
  readonly format: ReportFormat;
}

/** One scanner run: its steps, in order, and the report they leave. */
export interface ScannerInvocation {
  /** Commands that must be on the PATH. */
  readonly requires: string[];
  readonly steps: ScanStep[];
  readonly report: ScannerReport;
}

/** A program run as a step. */
export function exec(argv: Arg[], extra: { stdout?: string; okExitCode?: number; env?: Record<string, string> } = {}): ExecStep {
  return { kind: 'exec', argv, ...extra };
}

// Characters that need no quoting in bash.
const SHELL_SAFE = /^[A-Za-z0-9@%+=:,./_~-]+$/;

/** Single-quotes a string for bash. */
export function shellQuote(value: string): string {
  return `'${value.split('\'').join('\'\\\'\'')}'`;
}

/** An argument for a bash line: quoted when it must be (or when it is a QuotedArg). */
export function shellArg(a: Arg): string {
  if (typeof a !== 'string') return shellQuote(a.quoted);
  return SHELL_SAFE.test(a) ? a : shellQuote(a);
}

/** The argument's value as the program receives it. */
export function argValue(a: Arg): string {
  return typeof a === 'string' ? a : a.quoted;
}

/** One bash line per step, as a gate's buildspec runs them (a failing line fails the build). */
export function shellLines(steps: readonly ScanStep[]): string[] {
  return steps.map((s) => {
    switch (s.kind) {
      case 'write':
        return `echo ${shellQuote(s.content)} > ${shellArg(s.file)}`;
      case 'shell':
        return s.script;
      case 'exec': {
        const env = Object.entries(s.env ?? {}).map(([k, v]) => `${k}=${shellArg(v)} `).join('');
        const line = `${env}${s.argv.map(shellArg).join(' ')}${s.stdout !== undefined ? ` > ${shellArg(s.stdout)}` : ''}`;
        return s.okExitCode !== undefined ? `{ ${line} || [ $? -eq ${s.okExitCode} ]; }` : line;
      }
    }
  });
}
