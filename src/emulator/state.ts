/**
 * The emulator's state: one JSON-serialisable slice per service. With a state file, every change is
 * written (to a temporary file, flushed, then renamed over the old one) before the request that made
 * it is answered, so a crash never loses an acknowledged change nor leaves a half-written file.
 */
import { closeSync, existsSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The state file's contents, or a clear error naming the file when it is not a JSON object. */
function readState(path: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`The emulator's state file ${path} cannot be read as JSON (${(error as Error).message}); move it away or delete it to start with an empty state`, { cause: error });
  }
  if (!isObject(parsed)) throw new Error(`The emulator's state file ${path} does not hold a JSON object; move it away or delete it to start with an empty state`);
  return parsed;
}

/** Removes the temporary files a killed emulator left beside the state file (`<file>.tmp`, `<file>.<pid>.tmp`). */
function removeLeftovers(path: string): void {
  const name = basename(path);
  const leftover = new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\.\\d+)?\\.tmp$`);
  for (const entry of existsSync(dirname(path)) ? readdirSync(dirname(path)) : []) {
    if (leftover.test(entry)) rmSync(join(dirname(path), entry), { force: true });
  }
}

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
    if (path) removeLeftovers(path);
    this.data = path && existsSync(path) ? readState(path) : {};
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
    // One emulator writes a state file, so one temporary name serves; a crash leaves it for the next start to remove.
    const tmp = `${this.path}.tmp`;
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
