/**
 * A plan saved by `plan --out FILE` and applied by `apply FILE`, as terraform's `plan -out` and
 * `apply PLANFILE`: the file holds the arguments the plan was made with, the plan itself, and a
 * fingerprint of it with everything it observed in AWS. `apply FILE` plans again with the same
 * arguments and applies only when the fingerprint is the same, so what is applied is exactly what was
 * reviewed; when AWS or the manifests changed since, it refuses and names the objects that differ.
 * The file holds no secret value: a plan never does.
 */
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ObjectPlan } from '../reconcilers/kind.js';

const SAVED_PLAN_KIND = 'agentcore-operator/saved-plan';
const SAVED_PLAN_VERSION = 1;

/** The arguments that decide what a plan is of; the rest (log level, colours) may differ on apply. */
export interface PlanArguments {
  filename: string[];
  source: string;
  prune?: boolean;
  selector?: string;
  target?: string[];
  region?: string;
  profile?: string;
  endpointUrl?: string;
}

type Plans = Map<string, ObjectPlan<Record<string, unknown>> | Error>;

export interface SavedPlan {
  kind: typeof SAVED_PLAN_KIND;
  formatVersion: number;
  createdAt: string;
  arguments: PlanArguments;
  /** Each object's fingerprint: its changes and what was observed of it in AWS. */
  fingerprints: Record<string, string>;
  /** The plan as `plan -o json` prints it, for whoever reviews the file. */
  plan: unknown;
}

/** One object's plan, as a digest: a change in what AWS holds or in what apply would write changes it. */
function fingerprint(plan: ObjectPlan<Record<string, unknown>> | Error): string {
  const content = plan instanceof Error ? { error: plan.message } : { changes: plan.changes, observed: plan.observed ?? null };
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

function fingerprintsOf(plans: Plans): Record<string, string> {
  return Object.fromEntries([...plans].map(([key, plan]) => [key, fingerprint(plan)]));
}

export function writeSavedPlan(file: string, args: PlanArguments, plans: Plans, data: unknown, cwd: string): void {
  const saved: SavedPlan = {
    kind: SAVED_PLAN_KIND,
    formatVersion: SAVED_PLAN_VERSION,
    createdAt: new Date().toISOString(),
    // Paths made absolute, so the plan applies from wherever it is run.
    arguments: { ...args, filename: args.filename.map((f) => resolve(cwd, f)) },
    fingerprints: fingerprintsOf(plans),
    plan: data,
  };
  writeFileSync(resolve(cwd, file), `${JSON.stringify(saved, null, 2)}\n`);
}

/** The saved plan in the file, or what is wrong with the file. */
export function readSavedPlan(file: string, cwd: string): SavedPlan | string {
  let saved: Partial<SavedPlan>;
  try {
    saved = JSON.parse(readFileSync(resolve(cwd, file), 'utf8')) as Partial<SavedPlan>;
  } catch (error) {
    return `${file}: not a saved plan (${(error as Error).message})`;
  }
  if (saved.kind !== SAVED_PLAN_KIND || saved.formatVersion !== SAVED_PLAN_VERSION || !saved.arguments || !saved.fingerprints) {
    return `${file}: not a saved plan of this version (kind ${SAVED_PLAN_KIND}, formatVersion ${SAVED_PLAN_VERSION})`;
  }
  return saved as SavedPlan;
}

/** The objects whose plan is not the saved one (changed, gone, or new), sorted. */
export function staleObjects(saved: SavedPlan, plans: Plans): string[] {
  const now = fingerprintsOf(plans);
  const keys = new Set([...Object.keys(saved.fingerprints), ...Object.keys(now)]);
  return [...keys].filter((k) => saved.fingerprints[k] !== now[k]).sort();
}
