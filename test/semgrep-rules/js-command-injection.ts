import { exec, spawn } from 'child_process';

export function bad(host: string): void {
  // ruleid: js-command-injection
  exec('ping -c 1 ' + host);
}

export function good(host: string): void {
  // ok: js-command-injection
  spawn('ping', ['-c', '1', host]);
}
