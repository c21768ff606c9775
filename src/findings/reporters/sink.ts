import { closeSync, openSync, writeSync } from 'fs';

/**
 * Where a reporter writes. Reporters write piece by piece so that a report of 200,000
 * findings never exists as one giant string in memory.
 */
export interface Sink {
  write(text: string): void;
}

/** Collects the output in memory (tests, small reports). */
export class StringSink implements Sink {
  private readonly parts: string[] = [];
  write(text: string): void {
    this.parts.push(text);
  }
  toString(): string {
    return this.parts.join('');
  }
}

/**
 * Encodes writes into one reused 1 MiB buffer and writes it to the file when full: no string
 * ropes that outlive a garbage collection, no per-chunk allocation (reports of 200,000 findings
 * write hundreds of megabytes).
 */
export class FileSink implements Sink {
  private readonly fd: number;
  private readonly buffer: Buffer;
  private used = 0;

  constructor(readonly path: string, chunk = 1_048_576) {
    this.buffer = Buffer.allocUnsafe(Math.max(chunk, 64));
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    if (this.used + text.length * 3 > this.buffer.length) {
      this.flush();
      if (text.length * 3 > this.buffer.length) {
        writeSync(this.fd, text);
        return;
      }
    }
    this.used += this.buffer.write(text, this.used, 'utf8');
  }

  private flush(): void {
    let done = 0;
    while (done < this.used) done += writeSync(this.fd, this.buffer, done, this.used - done);
    this.used = 0;
  }

  close(): void {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
  }
}

/** Writes a file through a sink and closes it, also when the reporter throws. */
export function writeFileWith(path: string, write: (sink: Sink) => void): void {
  const sink = new FileSink(path);
  try {
    write(sink);
  } finally {
    sink.close();
  }
}
