import type { Command } from 'commander';
import { awsErrorMessage } from '../../aws/errors.js';
import type { PlannedChange } from '../../reconcilers/kind.js';
import type { CliIO } from '../io.js';
import { outputOf, printData, withOutput, type OutputOptions } from '../output.js';
import { manifestCommand, openSource, type ManifestOptions } from './manifests.js';
import { table } from './validate.js';

/** How an object stands against AWS, from what apply would do to it. */
export function standing(plan: PlannedChange[] | Error): { state: string; detail: string } {
  if (plan instanceof Error) return { state: 'error', detail: awsErrorMessage(plan) };
  if (plan.length === 0) return { state: 'in sync', detail: '' };
  const [first] = plan;
  if (first!.action === 'create' && first!.scope === 'resource') return { state: 'missing', detail: `${first!.subject} does not exist` };
  if (plan.every((c) => c.action === 'wait')) return { state: 'in progress', detail: plan.map((c) => `${c.subject}: ${String(c.to)}`).join('; ') };
  return { state: 'differs', detail: plan.map((c) => `${c.action} ${c.subject}`).join(', ') };
}

/** What was observed of an object in AWS, its ids and versions, as `key=value` pairs for a table cell. */
function scalars(observed: Record<string, unknown> | undefined): string {
  return Object.entries(observed ?? {}).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v)).map(([k, v]) => `${k}=${String(v)}`).join(' ');
}

export function statusCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  withOutput(manifestCommand(program, 'status', 'Show how each object stands against AWS: in sync, missing, in progress or differing. Changes nothing. Exits 0 when all are in sync, 2 when not, 1 on an error.'), ['text', 'wide', 'json', 'yaml'])
    .action(async (options: ManifestOptions & OutputOptions) => {
      const opened = await openSource(options, io);
      if (!opened) return setExitCode(1);
      try {
        const plans = await opened.source.plan();
        const rows = [...plans].map(([key, plan]) => ({ object: key, ...standing(plan instanceof Error ? plan : plan.changes), ...(plan instanceof Error || !plan.observed ? {} : { observed: plan.observed }) }));
        const format = outputOf(options);
        if (format === 'json' || format === 'yaml') printData(io, format, rows);
        else if (format === 'wide') io.out(table(rows.map((r) => [r.object, r.state, scalars(r.observed), r.detail]), ['OBJECT', 'STATE', 'AWS', 'DETAIL']));
        else io.out(table(rows.map((r) => [r.object, r.state, r.detail]), ['OBJECT', 'STATE', 'DETAIL']));
        // As plan --detailed-exitcode: 0 when everything is in sync, 2 when something is not, 1 on an error.
        setExitCode(rows.some((r) => r.state === 'error') ? 1 : rows.some((r) => r.state !== 'in sync') ? 2 : 0);
      } finally {
        await opened.close();
      }
    });
}
