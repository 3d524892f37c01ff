import type { Command } from 'commander';
import { diffLines } from 'diff';
import { awsErrorMessage } from '../../aws/errors.js';
import type { ObjectPlan, PlannedChange } from '../../reconcilers/kind.js';
import { plain, type Paint, type Style } from '../colour.js';
import type { CliIO } from '../io.js';
import { outputOf, printData, withOutput, type OutputOptions } from '../output.js';
import { writeSavedPlan } from '../saved-plan.js';
import { manifestCommand, openSource, paintOf, pruneRefusal, type ManifestOptions } from './manifests.js';

const SIGN: Record<PlannedChange['action'], string> = { create: '+', update: '~', replace: '-/+', delete: '-', wait: '…' };
const SIGN_STYLE: Record<PlannedChange['action'], Style> = { create: 'green', update: 'yellow', replace: 'magenta', delete: 'red', wait: 'bold' };

function value(v: unknown): string {
  return v === undefined ? '(none)' : JSON.stringify(v);
}

/** A value too long for its line (a policy, most often), shown under it. */
const isDocument = (v: unknown) => typeof v === 'object' && v !== null && JSON.stringify(v).length > 60;
/** A document under its line: indented JSON, or a diff of it marked - and +. */
const DOCUMENT_INDENT = '        ';

function documentLines(from: unknown, to: unknown, paint: Paint): string {
  const pretty = (v: unknown) => (v === undefined ? '' : `${JSON.stringify(v, null, 2)}\n`);
  const marked = (added: boolean | undefined, removed: boolean | undefined, text: string) => (added ? paint('green', `+ ${text}`) : removed ? paint('red', `- ${text}`) : `  ${text}`);
  return diffLines(pretty(from), pretty(to))
    .flatMap((part) => part.value.replace(/\n$/, '').split('\n').map((text) => `${DOCUMENT_INDENT}${marked(part.added, part.removed, text)}`))
    .join('\n');
}

function line(c: PlannedChange, paint: Paint): string {
  if (c.action === 'wait') return `${c.subject}: AWS reports ${String(c.to)}; nothing to do until it settles`;
  if (isDocument(c.from) || isDocument(c.to)) return `${c.subject}:\n${documentLines(c.action === 'update' || c.action === 'replace' ? c.from : undefined, c.to, paint)}`;
  if (c.action === 'update') return `${c.subject}: ${value(c.from)} -> ${value(c.to)}`;
  return c.to !== undefined ? `${c.subject} = ${value(c.to)}` : c.subject;
}

/** Terraform-style lines: what changes, and from what to what; each sign in its colour when `paint` has colours. */
export function renderPlan(key: string, changes: PlannedChange[], paint: Paint = plain): string {
  if (changes.length === 0) return '';
  const [first, ...rest] = changes;
  const sign = (action: PlannedChange['action']) => paint(SIGN_STYLE[action], SIGN[action]);
  const parts = (list: PlannedChange[]) => list.map((c) => `    ${sign(c.action)} ${line(c, paint)}\n`).join('');
  // A change of the whole resource (create, replace, wait) heads its block; changes of parts are listed under the object.
  if (first!.scope === 'resource') return `${sign(first!.action)} ${paint('bold', key)}: ${first!.action} ${line(first!, paint)}\n${parts(rest)}`;
  const versioned = changes.some((c) => c.newVersion) ? ' (a new runtime version)' : '';
  return `${sign('update')} ${paint('bold', key)}${versioned}\n${parts(changes)}`;
}

/** Each object's planned changes (or the error that kept it from being planned). */
export function changesOf(plans: Map<string, ObjectPlan<Record<string, unknown>> | Error>): Map<string, PlannedChange[] | Error> {
  return new Map([...plans].map(([key, plan]) => [key, plan instanceof Error ? plan : plan.changes]));
}

/** How many objects each kind of change touches, and how many could not be planned. */
export interface PlanSummary {
  create: number;
  update: number;
  replace: number;
  delete: number;
  errors: number;
  /** Objects apply would change (a wait for AWS is not a change). */
  changed: number;
}

export function summaryOf(plans: Map<string, PlannedChange[] | Error>): PlanSummary {
  const lists = [...plans.values()].filter((p): p is PlannedChange[] => Array.isArray(p));
  const count = (action: PlannedChange['action']) => lists.filter((p) => p.some((c) => c.action === action)).length;
  const changed = lists.filter((p) => p.some((c) => c.action !== 'wait')).length;
  return { create: count('create'), update: count('update'), replace: count('replace'), delete: count('delete'), errors: plans.size - lists.length, changed };
}

/** The plan as a user reads it: a block per object that changes, and a summary line. */
export function printPlan(plans: Map<string, PlannedChange[] | Error>, io: CliIO, paint: Paint = plain): void {
  for (const [key, plan] of plans) io.out(plan instanceof Error ? `${paint('red', '!')} ${key}: ${awsErrorMessage(plan)}\n` : renderPlan(key, plan, paint));
  const s = summaryOf(plans);
  io.out(s.changed === 0 && s.errors === 0 ? 'No changes: AWS matches the manifests.\n' : `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} with deletions; ${s.errors} error(s).\n`);
}

/** The version of the plan's JSON and YAML (docs/plan-format.md); a change that could break a reader raises it. */
export const PLAN_FORMAT_VERSION = 1;

/** The plan as data: its format version, the summary, and each object's changes (or the error that kept it from being planned). */
export function planData(plans: Map<string, PlannedChange[] | Error>): unknown {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    summary: summaryOf(plans),
    objects: Object.fromEntries([...plans].map(([key, plan]) => [key, plan instanceof Error ? { error: awsErrorMessage(plan) } : { changes: plan }])),
  };
}

export function planCommand(program: Command, io: CliIO, setExitCode: (code: number) => void): void {
  withOutput(manifestCommand(program, 'plan', 'Show what apply would change, field by field, without changing anything.'), ['text', 'json', 'yaml'])
    .option('--detailed-exitcode', 'exit 0 when there is nothing to change, 2 when there is, 1 on error')
    .option('--prune', 'also show what apply --prune would delete: what this source (--source) created in AWS that no manifest claims any more')
    .option('--out <file>', 'save the plan to this file, for apply FILE to apply exactly it')
    .action(async (options: ManifestOptions & OutputOptions & { detailedExitcode?: boolean; prune?: boolean; out?: string }, command: Command) => {
      const refusal = pruneRefusal(options, command) ?? (options.out && options.filename.includes('-') ? '--out needs the manifests in files: a saved plan reads them again when applied' : undefined);
      if (refusal) {
        io.out(`${refusal}\n`);
        return setExitCode(1);
      }
      const opened = await openSource(options, io);
      if (!opened) return setExitCode(1);
      try {
        const raw = await opened.source.plan({ prune: options.prune });
        const plans = changesOf(raw);
        const format = outputOf(options);
        if (format === 'json' || format === 'yaml') printData(io, format, planData(plans));
        else printPlan(plans, io, paintOf(options, io));
        if (options.out) {
          const { filename, source, prune, selector, target, region, profile, endpointUrl } = options;
          writeSavedPlan(options.out, { filename, source, prune, selector, target, region, profile, endpointUrl }, raw, planData(plans), io.cwd);
          if (format === 'text') io.out(`Saved the plan to ${options.out}; apply exactly it with: agentcore-operator apply ${options.out}\n`);
        }
        const { errors, changed } = summaryOf(plans);
        setExitCode(errors > 0 ? 1 : options.detailedExitcode && changed > 0 ? 2 : 0);
      } finally {
        await opened.close();
      }
    });
}
