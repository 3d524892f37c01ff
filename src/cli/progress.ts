/**
 * What `apply` and `delete` show while they run. On a terminal: a block with a row per object (its
 * state, how long it has taken, what is happening to it), redrawn in place, with each action taken and
 * each stall printed above the block so they stay in the scrollback. Anywhere else (CI, a pipe, a
 * file): one plain line per action and per stall, nothing else.
 */
import { ConditionType } from '../api/meta.js';
import { keyOf } from '../engine/engine.js';
import type { ObjectState, StatusReport, StatusSink } from '../engine/status.js';
import type { CliIO } from './io.js';

/** One run of an object, as the progress shows it. */
export interface ProgressEvent {
  key: string;
  actions: string[];
  state: ObjectState;
  message?: string;
}

/** A run's report as a progress event: its Ready condition's message says what is happening. */
export function progressOf(report: StatusReport): ProgressEvent {
  const { kind, object, status, actions, state } = report;
  const conditions = (status.conditions ?? []) as { type: string; message?: string }[];
  const key = keyOf({ kind, namespace: object.metadata.namespace ?? '', name: object.metadata.name });
  return { key, actions, state, message: conditions.find((c) => c.type === ConditionType.Ready)?.message };
}

/** A status sink that shows each report on the progress. */
export function progressSink(progress: Progress): StatusSink {
  return {
    report: (report) => Promise.resolve(progress.update(progressOf(report))),
  };
}

export interface Progress {
  update(event: ProgressEvent): void;
  /** Draws the last frame (live) and stops every timer; the cursor is left below the block. */
  finish(): void;
}

export interface ProgressOptions {
  /** Redraw a block in place (a terminal) rather than print plain lines. */
  live: boolean;
  /** The clock, in milliseconds; Date.now by default. */
  now?: () => number;
  /** The terminal's width (process.stdout.columns); rows of the block are cut to it. Default 100. */
  columns?: number;
  /** The terminal's height (process.stdout.rows), when known: the block keeps below it while it moves. */
  rows?: number;
  /** Objects to show as pending from the start, in this order; others get a row when first seen. */
  keys?: readonly string[];
  /** The shortest time between two redraws. Default 100 ms (at most ten a second). */
  frameMs?: number;
}

/** One object's row in the live block. */
export interface ProgressRow {
  key: string;
  state: ObjectState;
  /** When the object was first seen. */
  startedMs: number;
  /** When it left 'pending'; undefined while it is pending, so its clock keeps running. */
  endedMs?: number;
  /** Its latest message or action. */
  detail: string;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const SPINNER_MS = 100;
const GLYPH: Record<ObjectState, string> = { pending: '…', ready: '✓', deleted: '✓', stalled: '✗', suspended: '‖' };
const STATE_WIDTH = Math.max(...Object.keys(GLYPH).map((s) => s.length));
const MAX_KEY_WIDTH = 60;
const DEFAULT_COLUMNS = 100;

/** The lines a plain (non-terminal) output prints for an event; the live block keeps the same ones in its scrollback. */
export function plainLines(event: ProgressEvent): string[] {
  const lines = event.actions.map((action) => `${event.key}: ${action}`);
  if (event.state === 'stalled') lines.push(`${event.key}: Stalled: ${event.message ?? ''}`);
  return lines;
}

/** True when standard output is a terminal a block can be redrawn on: a TTY, not CI, not TERM=dumb. */
export function isLiveTerminal(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (stream.isTTY !== true) return false;
  const ci = env.CI?.trim().toLowerCase();
  if (ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0') return false;
  return env.TERM !== 'dumb';
}

/** 7s, 1m05s, 2h03m. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

/** Cuts text to width characters (code points), ending with … when it was cut. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  const chars = Array.from(text);
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join('')}…`;
}

/** One line per row, whatever a message holds: a newline or an escape in it would break the redraw. */
const oneLine = (text: string) => text.replace(/\p{Cc}+/gu, ' ').trim();

/**
 * The block's lines: glyph (a spinner while pending), key, state, elapsed time and detail, aligned,
 * each at most `columns` characters. A final frame shows a still glyph for what is still pending.
 */
export function renderRows(rows: readonly ProgressRow[], nowMs: number, columns: number, final = false): string[] {
  const width = Number.isFinite(columns) && columns > 0 ? Math.floor(columns) : DEFAULT_COLUMNS;
  const keys = rows.map((r) => oneLine(r.key));
  const keyWidth = Math.min(MAX_KEY_WIDTH, Math.max(0, ...keys.map((k) => Array.from(k).length)));
  const spinner = SPINNER[Math.floor(nowMs / SPINNER_MS) % SPINNER.length]!;
  const elapsed = rows.map((r) => formatElapsed((r.endedMs ?? nowMs) - r.startedMs));
  const elapsedWidth = Math.max(0, ...elapsed.map((e) => e.length));
  return rows.map((row, i) => {
    const glyph = row.state === 'pending' && !final ? spinner : GLYPH[row.state];
    const key = truncate(keys[i]!, keyWidth).padEnd(keyWidth);
    const line = `${glyph} ${key}  ${row.state.padEnd(STATE_WIDTH)}  ${elapsed[i]!.padStart(elapsedWidth)}  ${oneLine(row.detail)}`;
    return truncate(line.trimEnd(), width);
  });
}

/**
 * The rows to draw in at most `height` lines: all of them when they fit; otherwise those still moving
 * (pending, stalled) first, in their order, then the rest, and a last line saying how many are not shown.
 */
export function fitRows(rows: readonly ProgressRow[], height: number | undefined): { rows: ProgressRow[]; hidden: number } {
  if (height === undefined || rows.length <= height) return { rows: [...rows], hidden: 0 };
  const room = Math.max(0, height - 1);
  const moving = (r: ProgressRow) => r.state === 'pending' || r.state === 'stalled';
  const chosen = new Set([...rows.filter(moving), ...rows.filter((r) => !moving(r))].slice(0, room));
  return { rows: rows.filter((r) => chosen.has(r)), hidden: rows.length - chosen.size };
}

const ESC = '\x1b[';
const CLEAR_LINE = `${ESC}2K`;
const CLEAR_BELOW = `${ESC}J`;
const up = (n: number) => (n > 0 ? `${ESC}${n}A` : '');

class PlainProgress implements Progress {
  constructor(private readonly io: CliIO) {}

  update(event: ProgressEvent): void {
    for (const line of plainLines(event)) this.io.out(`${line}\n`);
  }

  finish(): void {}
}

class LiveProgress implements Progress {
  private readonly rows = new Map<string, ProgressRow>();
  private scrollback: string[] = [];
  /** How many lines the block on screen has: the cursor is on the line below it. */
  private drawn = 0;
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private finished = false;
  private readonly now: () => number;
  private readonly columns: number;
  private readonly height: number | undefined;
  private readonly frameMs: number;

  constructor(
    private readonly io: CliIO,
    options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.columns = options.columns && options.columns > 0 ? options.columns : DEFAULT_COLUMNS;
    // The block must stay on screen, or moving up would not reach its first line; one line is kept for the cursor.
    this.height = options.rows && options.rows > 1 ? options.rows - 1 : undefined;
    this.frameMs = options.frameMs ?? 100;
    const start = this.now();
    for (const key of options.keys ?? []) this.rows.set(key, { key, state: 'pending', startedMs: start, detail: '' });
    if (this.rows.size > 0) this.start();
  }

  update(event: ProgressEvent): void {
    if (this.finished) {
      // Nothing is lost when an event comes after the last frame: it is printed below it, plainly.
      for (const line of plainLines(event)) this.io.out(`${line}\n`);
      return;
    }
    const now = this.now();
    let row = this.rows.get(event.key);
    if (!row) {
      row = { key: event.key, state: event.state, startedMs: now, detail: '' };
      this.rows.set(event.key, row);
    }
    row.state = event.state;
    row.endedMs = event.state === 'pending' ? undefined : (row.endedMs ?? now);
    row.detail = event.message ?? event.actions.at(-1) ?? row.detail;
    this.scrollback.push(...plainLines(event));
    this.dirty = true;
    // The first frame comes at once; later ones on the timer's ticks, so at most one per frameMs.
    if (!this.timer) {
      this.start();
      this.draw(false);
    }
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.rows.size > 0 || this.scrollback.length > 0) this.draw(true);
  }

  private start(): void {
    if (this.timer || this.finished) return;
    this.timer = setInterval(() => this.tick(), this.frameMs);
    this.timer.unref();
  }

  private tick(): void {
    // A pending row's spinner and clock move even when no event comes.
    if (this.dirty || [...this.rows.values()].some((r) => r.state === 'pending')) this.draw(false);
  }

  private draw(final: boolean): void {
    const all = [...this.rows.values()];
    const { rows, hidden } = final ? { rows: all, hidden: 0 } : fitRows(all, this.height);
    const block = renderRows(rows, this.now(), this.columns, final);
    if (hidden > 0) block.push(truncate(`  … ${hidden} more not shown`, this.columns));
    // Back to the block's first line and clear down: a long scrollback line may wrap over more than one line.
    let text = `\r${up(this.drawn)}${CLEAR_BELOW}`;
    for (const line of this.scrollback) text += `${CLEAR_LINE}${line}\n`;
    for (const line of block) text += `${CLEAR_LINE}${line}\n`;
    this.io.out(text);
    this.drawn = block.length;
    this.scrollback = [];
    this.dirty = false;
  }
}

/** A plain progress for CI and pipes, or a live one for a terminal (see isLiveTerminal). */
export function createProgress(io: CliIO, options: ProgressOptions): Progress {
  return options.live ? new LiveProgress(io, options) : new PlainProgress(io);
}
