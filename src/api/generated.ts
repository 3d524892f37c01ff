/** Every file generated from the schemas, by path relative to the repository root. */
import { crdFileName, crdYaml } from './crd.js';
import { kindDoc, kindDocFileName } from './docs.js';
import { KINDS } from './kinds.js';

export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const info of KINDS) {
    files.set(`crds/${crdFileName(info)}`, crdYaml(info));
    // Helm installs the CRDs in a chart's crds/ folder before anything else, and never deletes them.
    files.set(`charts/agentcore-operator/crds/${crdFileName(info)}`, crdYaml(info));
    files.set(`docs/api/${kindDocFileName(info)}`, kindDoc(info));
  }
  return files;
}
