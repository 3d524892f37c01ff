/** Every file generated from the schemas, by path relative to the repository root. */
import { crdFileName, crdYaml } from './crd.js';
import { kindDoc, kindDocFileName } from './docs.js';
import { KINDS } from './kinds.js';
import { GROUP } from './meta.js';

export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const info of KINDS) {
    files.set(`crds/${crdFileName(info)}`, crdYaml(info));
    // Helm installs the CRDs in a chart's crds/ folder before anything else, and never deletes them.
    files.set(`charts/agentcore-operator/crds/${crdFileName(info)}`, crdYaml(info));
    files.set(`docs/api/${kindDocFileName(info)}`, kindDoc(info));
  }
  files.set('charts/agentcore-operator/templates/_kinds.tpl', chartKindsTemplate());
  return files;
}

/**
 * The chart's named templates for the kinds' RBAC resources, as YAML flow sequences; the verbs granted
 * on them stay in _helpers.tpl.
 */
function chartKindsTemplate(): string {
  const list = (resources: string[]) => `[${resources.map((r) => JSON.stringify(r)).join(', ')}]`;
  return [
    '{{/* Generated from src/api by `agentcore-operator generate`; do not edit. */}}',
    '',
    `{{/* Every kind of the ${GROUP} group, as an RBAC resource. */}}`,
    '{{- define "agentcore-operator.kindResources" -}}',
    list(KINDS.map((k) => k.plural)),
    '{{- end }}',
    '',
    '{{/* The status subresource of every kind. */}}',
    '{{- define "agentcore-operator.kindStatusResources" -}}',
    list(KINDS.map((k) => `${k.plural}/status`)),
    '{{- end }}',
    '',
  ].join('\n');
}
