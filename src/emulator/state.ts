/**
 * The emulator's state: one JSON-serialisable slice per service. With a state file, every change is
 * written (to a temporary file, flushed, then renamed over the old one) before the request that made
 * it is answered, so a crash never loses an acknowledged change nor leaves a half-written file.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

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

  /**
   * Applies a JSON merge patch (RFC 7386) to the whole state: an out-of-band change of anything, for
   * drift tests. `null` removes a member.
   */
  patch(patch: unknown): void {
    this.data = mergePatch(this.data, patch) as Record<string, unknown>;
    this.dirty = true;
    this.flush();
  }

  snapshot(): Record<string, unknown> {
    return structuredClone(this.data);
  }
}
