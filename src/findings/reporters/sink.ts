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

/** Buffers writes and flushes them to a file in chunks of about 1 MiB. */
export class FileSink implements Sink {
  private readonly fd: number;
  // String concatenation builds a rope in V8: cheaper than collecting many small pieces.
  private buffer = '';

  constructor(readonly path: string, private readonly chunk = 1_048_576) {
    this.fd = openSync(path, 'w');
  }

  write(text: string): void {
    this.buffer += text;
    if (this.buffer.length >= this.chunk) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
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
