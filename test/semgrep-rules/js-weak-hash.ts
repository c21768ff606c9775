import { createHash } from 'crypto';

export function bad(data: string): string {
  // ruleid: js-weak-hash
  return createHash('md5').update(data).digest('hex');
}

export function good(data: string): string {
  // ok: js-weak-hash
  return createHash('sha256').update(data).digest('hex');
}
