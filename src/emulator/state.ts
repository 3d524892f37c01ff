/**
 * The emulator's state: one JSON-serialisable slice per service. With a state file, every change is
 * written (to a temporary file, flushed, then renamed over the old one) before the request that made
 * it is answered, so a crash never loses an acknowledged change nor leaves a half-written file.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

export class StateStore {
  private data: Record<string, unknown>;
  private dirty = false;

  constructor(private readonly path?: string) {
    this.data = path && existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
  }

  /** The slice a service owns, created on first use. */
  slice<T>(name: string, init: () => T): T {
    if (!(name in this.data)) this.data[name] = init();
    return this.data[name] as T;
  }

  markChanged(): void {
    this.dirty = true;
  }

  reset(): void {
    this.data = {};
    this.dirty = true;
    this.flush();
  }

  /** Writes the state file if anything changed; a no-op without a state file. */
  flush(): void {
    if (!this.path || !this.dirty) return;
    const tmp = `${this.path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(this.data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
    this.dirty = false;
  }

  snapshot(): Record<string, unknown> {
    return structuredClone(this.data);
  }
}
