/** A duration as users write it on the command line: 90s, 10m, 1h, 500ms (seconds without a unit). */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new Error(`not a duration: ${text} (use 90s, 10m, 1h)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] ?? 's']!;
  return Number(m[1]) * unit;
}

/** Each flag's duration in milliseconds, or a message naming the first flag whose value is not a duration. */
export function parseDurationFlags<Flag extends string>(flags: Record<Flag, string>): Record<Flag, number> | string {
  const parsed = {} as Record<Flag, number>;
  for (const [flag, text] of Object.entries(flags) as [Flag, string][]) {
    try {
      parsed[flag] = parseDuration(text);
    } catch (error) {
      return `--${flag}: ${(error as Error).message}`;
    }
  }
  return parsed;
}
