/**
 * Endpoint decisions: which named endpoints to create, move to another version, or delete, given the
 * spec's endpoints and what AWS reports. `latest` follows the newest version. The DEFAULT endpoint is
 * AWS's and never touched.
 */
export interface DesiredEndpoint {
  name: string;
  /** `latest` or a version number. */
  version?: string;
  description?: string;
}

export interface ObservedEndpoint {
  name: string;
  targetVersion?: string;
  liveVersion?: string;
  status: string;
  description?: string;
}

export type EndpointAction =
  | { type: 'create'; name: string; version: string; description?: string }
  | { type: 'update'; name: string; version: string; from?: string; description?: string }
  | { type: 'delete'; name: string };

const DEFAULT_ENDPOINT = 'DEFAULT';

export function targetVersionOf(endpoint: DesiredEndpoint, latestVersion: string): string {
  return !endpoint.version || endpoint.version === 'latest' ? latestVersion : endpoint.version;
}

export function endpointActions(desired: DesiredEndpoint[], observed: ObservedEndpoint[], latestVersion: string): EndpointAction[] {
  const have = new Map(observed.filter((e) => e.name !== DEFAULT_ENDPOINT).map((e) => [e.name, e]));
  const actions: EndpointAction[] = [];
  for (const want of desired) {
    const version = targetVersionOf(want, latestVersion);
    const current = have.get(want.name);
    if (!current) actions.push({ type: 'create', name: want.name, version, ...(want.description ? { description: want.description } : {}) });
    else if (current.targetVersion !== version || (want.description ?? undefined) !== (current.description ?? undefined)) {
      actions.push({ type: 'update', name: want.name, version, from: current.targetVersion, ...(want.description ? { description: want.description } : {}) });
    }
    have.delete(want.name);
  }
  for (const name of [...have.keys()].sort()) actions.push({ type: 'delete', name });
  return actions;
}

/** Ready only when every endpoint serves the version it is meant to. */
export function endpointsSettled(desired: DesiredEndpoint[], observed: ObservedEndpoint[], latestVersion: string): boolean {
  const have = new Map(observed.map((e) => [e.name, e]));
  return desired.every((want) => {
    const e = have.get(want.name);
    const version = targetVersionOf(want, latestVersion);
    return e !== undefined && e.status === 'READY' && e.liveVersion === version && e.targetVersion === version;
  });
}
