/** The garbage-collector tuning `run` applies: the young generation stays at its starting size under churn. */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

/** Allocates 3 million short-lived objects in a fresh process and reports the young generation's size in MiB. */
function youngGenerationAfterChurn(tuned: boolean): number {
  const script = `
    const { getHeapSpaceStatistics } = await import('node:v8');
    if (${tuned}) (await import(${JSON.stringify(pathToFileURL(join(repoRoot, 'dist/cli/gc.js')).href)})).tuneGarbageCollector();
    let keep = [];
    for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
    console.log(getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return Number(result.stdout.trim());
}

describe('tuneGarbageCollector', () => {
  it('keeps the young generation small where V8 alone grows it', () => {
    const untuned = youngGenerationAfterChurn(false);
    const tuned = youngGenerationAfterChurn(true);
    expect(tuned).toBeLessThanOrEqual(8);
    expect(untuned).toBeGreaterThanOrEqual(4 * tuned);
  });
});
