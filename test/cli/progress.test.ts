import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import type { CliIO } from '../../src/cli/io.js';
import { createProgress, fitRows, formatElapsed, isLiveTerminal, renderRows, truncate, type ProgressEvent, type ProgressRow } from '../../src/cli/progress.js';

/** A CliIO that keeps every write. */
function capture(): CliIO & { writes: string[]; text(): string } {
  const writes: string[] = [];
  return { writes, text: () => writes.join(''), out: (t) => writes.push(t), err: (t) => writes.push(t), cwd: '/' };
}

/**
 * A terminal, enough for the escapes the progress writes: cursor up (ESC[nA), clear line (ESC[2K),
 * clear below (ESC[J), \r and \n. It never scrolls away: lines[] is scrollback and screen together.
 */
function screen(text: string): string[] {
  const lines: string[][] = [[]];
  let row = 0;
  let col = 0;
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('\x1b[', i)) {
      const m = /^(\d*)([A-Za-z])/.exec(text.slice(i + 2));
      if (!m) throw new Error(`unknown escape at ${i}: ${JSON.stringify(text.slice(i, i + 8))}`);
      const n = m[1] === '' ? undefined : Number(m[1]);
      if (m[2] === 'A') row = Math.max(0, row - (n ?? 1));
      else if (m[2] === 'K' && n === 2) lines[row] = [];
      else if (m[2] === 'J' && (n ?? 0) === 0) {
        lines[row] = lines[row]!.slice(0, col);
        lines.length = row + 1;
      } else throw new Error(`unexpected escape ESC[${m[0]}`);
      i += 2 + m[0].length;
      continue;
    }
    const ch = String.fromCodePoint(text.codePointAt(i)!);
    i += ch.length;
    if (ch === '\r') col = 0;
    else if (ch === '\n') {
      row += 1;
      col = 0;
      while (lines.length <= row) lines.push([]);
    } else {
      const line = lines[row]!;
      while (line.length < col) line.push(' ');
      line[col] = ch;
      col += 1;
    }
  }
  const out = lines.map((l) => l.join(''));
  // The cursor's own (empty) line below the block is not content.
  if (out.at(-1) === '') out.pop();
  return out;
}

const row = (key: string, state: ProgressRow['state'], startedMs: number, detail: string, endedMs?: number): ProgressRow => ({ key, state, startedMs, detail, ...(endedMs === undefined ? {} : { endedMs }) });

describe('renderRows', () => {
  test.each([
    { name: 'spinner, first frame', rows: [row('Memory/agents/m', 'pending', 0, 'AWS reports CREATING')], now: 0, columns: 100, expected: ['⠋ Memory/agents/m  pending    0s  AWS reports CREATING'] },
    { name: 'spinner moves every 100 ms', rows: [row('Memory/agents/m', 'pending', 0, 'AWS reports CREATING')], now: 150, columns: 100, expected: ['⠙ Memory/agents/m  pending    0s  AWS reports CREATING'] },
    { name: 'a final frame has no spinner', rows: [row('Memory/agents/m', 'pending', 0, 'waiting')], now: 150, columns: 100, final: true, expected: ['… Memory/agents/m  pending    0s  waiting'] },
    {
      name: 'keys and times aligned; a done row keeps the time it took',
      rows: [row('AgentRuntime/agents/support-agent', 'ready', 1000, 'created runtime support_agent', 66_000), row('Memory/agents/m', 'stalled', 0, 'AWS reports FAILED', 3000), row('Gateway/agents/g', 'pending', 0, '')],
      now: 90_000,
      columns: 100,
      expected: [
        '✓ AgentRuntime/agents/support-agent  ready      1m05s  created runtime support_agent',
        '✗ Memory/agents/m                    stalled       3s  AWS reports FAILED',
        '⠋ Gateway/agents/g                   pending    1m30s',
      ],
    },
    { name: 'deleted and suspended', rows: [row('A/n/a', 'deleted', 0, 'deleted runtime a', 2000), row('B/n/b', 'suspended', 0, 'Suspended', 0)], now: 5000, columns: 100, expected: ['✓ A/n/a  deleted    2s  deleted runtime a', '‖ B/n/b  suspended  0s  Suspended'] },
    { name: 'cut to the terminal width', rows: [row('Memory/agents/m', 'pending', 0, 'x'.repeat(200))], now: 0, columns: 40, expected: ['⠋ Memory/agents/m  pending    0s  xxxxx…'] },
    { name: 'a message on several lines stays on one', rows: [row('A/n/a', 'stalled', 0, 'first\nsecond\x1b[31m', 0)], now: 0, columns: 100, expected: ['✗ A/n/a  stalled    0s  first second [31m'] },
    { name: 'no rows', rows: [], now: 0, columns: 100, expected: [] },
  ])('$name', ({ rows, now, columns, final, expected }) => {
    const lines = renderRows(rows, now, columns, final);
    expect(lines).toEqual(expected);
    for (const line of lines) expect(Array.from(line).length).toBeLessThanOrEqual(columns);
  });

  test.each([
    [0, '0s'],
    [999, '0s'],
    [59_999, '59s'],
    [60_000, '1m00s'],
    [65_000, '1m05s'],
    [3_599_000, '59m59s'],
    [3_600_000, '1h00m'],
    [7_380_000, '2h03m'],
    [-5, '0s'],
  ])('formatElapsed(%p) = %p', (ms, text) => expect(formatElapsed(ms)).toBe(text));

  test.each([
    ['abc', 3, 'abc'],
    ['abcd', 3, 'ab…'],
    ['⠋⠙⠹⠸', 3, '⠋⠙…'],
    ['abc', 0, ''],
  ])('truncate(%p, %p) = %p', (text, width, expected) => expect(truncate(text, width)).toBe(expected));

  test('fitRows keeps what is still moving when the block would not fit', () => {
    const rows = [row('a', 'ready', 0, ''), row('b', 'pending', 0, ''), row('c', 'ready', 0, ''), row('d', 'stalled', 0, ''), row('e', 'pending', 0, '')];
    expect(fitRows(rows, undefined)).toEqual({ rows, hidden: 0 });
    expect(fitRows(rows, 5)).toEqual({ rows, hidden: 0 });
    const fitted = fitRows(rows, 4);
    expect(fitted.rows.map((r) => r.key)).toEqual(['b', 'd', 'e']);
    expect(fitted.hidden).toBe(2);
  });
});

const events: ProgressEvent[] = [
  { key: 'Memory/agents/m', actions: ['created memory m'], state: 'pending', message: 'AWS reports CREATING' },
  { key: 'AgentRuntime/agents/x', actions: [], state: 'pending', message: 'waiting for Memory/agents/m' },
  { key: 'Memory/agents/m', actions: [], state: 'ready', message: 'memory m is ACTIVE' },
  { key: 'AgentRuntime/agents/x', actions: ['created runtime x', 'created endpoint prod'], state: 'pending', message: 'AWS reports CREATING' },
  { key: 'Gateway/agents/g', actions: ['created gateway g'], state: 'stalled', message: 'AWS reports FAILED: no role' },
  { key: 'AgentRuntime/agents/x', actions: [], state: 'ready', message: 'runtime x is READY' },
];

const plainExpected = [
  'Memory/agents/m: created memory m\n',
  'AgentRuntime/agents/x: created runtime x\n',
  'AgentRuntime/agents/x: created endpoint prod\n',
  'Gateway/agents/g: created gateway g\n',
  'Gateway/agents/g: Stalled: AWS reports FAILED: no role\n',
];

describe('plain progress', () => {
  test('one line per action and per stall, as apply always printed', () => {
    const io = capture();
    const progress = createProgress(io, { live: false });
    for (const e of events) progress.update(e);
    progress.finish();
    expect(io.writes).toEqual(plainExpected);
  });

  test('a stall without a message', () => {
    const io = capture();
    createProgress(io, { live: false }).update({ key: 'A/n/a', actions: [], state: 'stalled' });
    expect(io.text()).toBe('A/n/a: Stalled: \n');
  });
});

describe('live progress', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.setSystemTime(0);
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  /** Sends the events 250 ms apart, the timer running in between. */
  function play(progress: ReturnType<typeof createProgress>, list: ProgressEvent[]) {
    for (const e of list) {
      progress.update(e);
      jest.advanceTimersByTime(250);
    }
  }

  test('the last frame shows every object in its final state, the actions above it once each', () => {
    const io = capture();
    const progress = createProgress(io, { live: true, columns: 120 });
    play(progress, events);
    progress.finish();
    const lines = screen(io.text());
    expect(lines.slice(-3)).toEqual([
      '✓ Memory/agents/m        ready      0s  memory m is ACTIVE',
      '✓ AgentRuntime/agents/x  ready      1s  runtime x is READY',
      '✗ Gateway/agents/g       stalled    0s  AWS reports FAILED: no role',
    ]);
    // Everything above the block is the history, in order, each line once.
    expect(lines.slice(0, -3)).toEqual(plainExpected.map((l) => l.trimEnd()));
    expect(jest.getTimerCount()).toBe(0);
  });

  test('while objects are pending, the block moves in place', () => {
    const io = capture();
    const progress = createProgress(io, { live: true, columns: 120 });
    play(progress, events.slice(0, 2));
    const middle = screen(io.text());
    expect(middle[0]).toBe('Memory/agents/m: created memory m');
    expect(middle.slice(1)).toEqual([expect.stringMatching(/^. Memory\/agents\/m {8}pending {4}0s {2}AWS reports CREATING$/), expect.stringMatching(/^. AgentRuntime\/agents\/x {2}pending {4}0s {2}waiting for Memory\/agents\/m$/)]);
    jest.advanceTimersByTime(2000);
    const later = screen(io.text());
    expect(later).toHaveLength(3);
    expect(later[1]).toMatch(/^. Memory\/agents\/m +pending +2s +AWS reports CREATING$/);
    expect(later[1]![0]).not.toBe('…');
    progress.finish();
  });

  test('redraws at most ten times a second, however many events come', () => {
    const io = capture();
    const progress = createProgress(io, { live: true });
    for (let i = 0; i < 1000; i++) {
      progress.update({ key: `Memory/agents/m${i % 20}`, actions: [`step ${i}`], state: 'pending' });
      jest.advanceTimersByTime(1);
    }
    // 1 s of events: the first frame at once, then one per 100 ms tick.
    expect(io.writes.length).toBeLessThanOrEqual(11);
    progress.finish();
    const lines = screen(io.text());
    expect(lines).toHaveLength(1000 + 20);
    expect(lines.slice(0, 1000)).toEqual(Array.from({ length: 1000 }, (_, i) => `Memory/agents/m${i % 20}: step ${i}`));
  });

  test('keys given up front are shown, in that order, before they are first seen', () => {
    const io = capture();
    const progress = createProgress(io, { live: true, keys: ['B/n/b', 'A/n/a'] });
    jest.advanceTimersByTime(100);
    expect(screen(io.text())).toEqual([expect.stringMatching(/^. B\/n\/b {2}pending {4}0s$/), expect.stringMatching(/^. A\/n\/a {2}pending {4}0s$/)]);
    progress.update({ key: 'A/n/a', actions: ['created a'], state: 'ready', message: 'Ready' });
    progress.finish();
    expect(screen(io.text())).toEqual(['A/n/a: created a', '… B/n/b  pending    0s', '✓ A/n/a  ready      0s  Ready']);
  });

  test('a block taller than the terminal shows what is moving, and the whole of it at the end', () => {
    const io = capture();
    const progress = createProgress(io, { live: true, rows: 4 });
    for (let i = 0; i < 6; i++) progress.update({ key: `K/n/o${i}`, actions: [], state: i % 2 === 0 ? 'ready' : 'pending' });
    jest.advanceTimersByTime(100);
    const middle = screen(io.text());
    expect(middle).toHaveLength(3);
    expect(middle.slice(0, 2).map((l) => l.slice(2, 8))).toEqual(['K/n/o1', 'K/n/o3']);
    expect(middle[2]).toBe('  … 4 more not shown');
    progress.finish();
    expect(screen(io.text()).map((l) => l.slice(2, 8))).toEqual(['K/n/o0', 'K/n/o1', 'K/n/o2', 'K/n/o3', 'K/n/o4', 'K/n/o5']);
  });

  test('rows never wrap: each is cut to the width given', () => {
    const io = capture();
    const progress = createProgress(io, { live: true, columns: 30 });
    progress.update({ key: 'AgentRuntime/agents/a-very-long-name', actions: [], state: 'pending', message: 'AWS reports CREATING' });
    progress.finish();
    const lines = screen(io.text());
    expect(lines).toHaveLength(1);
    expect(Array.from(lines[0]!)).toHaveLength(30);
    expect(lines[0]!.endsWith('…')).toBe(true);
  });

  test('finish stops the timer, draws once more and then nothing; a late event prints plainly', () => {
    const io = capture();
    const progress = createProgress(io, { live: true });
    progress.update({ key: 'A/n/a', actions: [], state: 'pending' });
    expect(jest.getTimerCount()).toBe(1);
    progress.finish();
    expect(jest.getTimerCount()).toBe(0);
    const writes = io.writes.length;
    progress.finish();
    jest.advanceTimersByTime(1000);
    expect(io.writes.length).toBe(writes);
    progress.update({ key: 'A/n/a', actions: ['late'], state: 'ready' });
    expect(io.writes.at(-1)).toBe('A/n/a: late\n');
  });

  test('nothing seen, nothing written', () => {
    const io = capture();
    createProgress(io, { live: true }).finish();
    expect(io.writes).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('isLiveTerminal', () => {
  test.each([
    { tty: true, env: {}, live: true },
    { tty: true, env: { TERM: 'xterm-256color' }, live: true },
    { tty: false, env: { TERM: 'xterm-256color' }, live: false },
    { tty: undefined, env: {}, live: false },
    { tty: true, env: { CI: 'true' }, live: false },
    { tty: true, env: { CI: '1' }, live: false },
    { tty: true, env: { CI: 'false' }, live: true },
    { tty: true, env: { CI: '' }, live: true },
    { tty: true, env: { TERM: 'dumb' }, live: false },
    { tty: true, env: { CI: 'false', TERM: 'dumb' }, live: false },
  ])('isTTY=$tty env=$env -> $live', ({ tty, env, live }) => {
    expect(isLiveTerminal(tty === undefined ? {} : { isTTY: tty }, env as NodeJS.ProcessEnv)).toBe(live);
  });
});
