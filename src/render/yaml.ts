// The one YAML serialiser for generated files: fixed options, so output never depends
// on library defaults changing under us; keys keep the insertion order of the builders.

import { stringify } from 'yaml';

const OPTIONS = { lineWidth: 0, indent: 2, aliasDuplicateObjects: false } as const;

export function toYaml(value: unknown): string {
  return stringify(value, OPTIONS);
}

/** Several documents in one file, separated by ---. */
export function toYamlDocuments(docs: readonly unknown[]): string {
  return docs.map((d) => toYaml(d)).join('---\n');
}
