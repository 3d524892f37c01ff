/**
 * Discovery documents: the legacy ones (/api, /apis, /api/v1, /apis/<group>/<version>) and the
 * aggregated discovery kubectl 1.34 asks for first (apidiscovery.k8s.io/v2 APIGroupDiscoveryList).
 */
import type { Registry } from './resources.js';
import { apiVersionOf, type ResourceType } from './types.js';

export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_DISCOVERY_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The aggregated content type the client accepts, if any, preferring v2. */
export function aggregatedDiscoveryAccepted(accept: string): string | undefined {
  const offered = accept.split(',').map((part) => part.replace(/\s+/g, ''));
  if (offered.includes(AGGREGATED_DISCOVERY_V2)) return AGGREGATED_DISCOVERY_V2;
  if (offered.includes(AGGREGATED_DISCOVERY_V2BETA1)) return AGGREGATED_DISCOVERY_V2BETA1;
  return undefined;
}

export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '34',
    gitVersion: 'v1.34.0-agentcore-test',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(registry: Registry): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: registry
      .groupVersions()
      .filter((g) => g.group !== '')
      .map(({ group, versions }) => ({
        name: group,
        versions: versions.map((version) => ({ groupVersion: `${group}/${version}`, version })),
        preferredVersion: { groupVersion: `${group}/${versions[0]}`, version: versions[0] },
      })),
  };
}

export function apiResourceList(group: string, version: string, types: ResourceType[]): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const t of types) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.verbs,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    });
    if (t.statusSubresource) resources.push({ name: `${t.plural}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] });
    if (t.kind === 'ServiceAccount') resources.push({ name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf(group, version), resources };
}

/** /api (the core group alone) or /apis (every other group), in aggregated form. */
export function aggregatedDiscovery(registry: Registry, core: boolean, contentType: string): Record<string, unknown> {
  const apiVersion = contentType === AGGREGATED_DISCOVERY_V2 ? 'apidiscovery.k8s.io/v2' : 'apidiscovery.k8s.io/v2beta1';
  const items = registry
    .groupVersions()
    .filter((g) => (g.group === '') === core)
    .map(({ group, versions }) => ({
      metadata: { name: group, creationTimestamp: null },
      versions: versions.map((version) => ({
        version,
        resources: registry
          .all()
          .filter((t) => t.group === group && t.version === version)
          .map((t) => ({
            resource: t.plural,
            responseKind: { group, version, kind: t.kind },
            scope: t.namespaced ? 'Namespaced' : 'Cluster',
            singularResource: t.singular,
            verbs: t.verbs,
            ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
            ...(t.categories.length ? { categories: t.categories } : {}),
            ...(t.statusSubresource
              ? { subresources: [{ subresource: 'status', responseKind: { group, version, kind: t.kind }, verbs: ['get', 'patch', 'update'] }] }
              : {}),
          })),
        freshness: 'Current',
      })),
    }));
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}
