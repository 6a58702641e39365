// picc's library API: the pipeline of DESIGN.md as pure functions over text.
//   analyze: load → validate → check           (spec text → spec + diagnostics)
//   compile: analyze → secrets → plan → render  (spec text + secrets text → artifacts)
// No I/O here; the CLI and emit.ts read and write files.

import { hasErrors, type Diagnostic } from './diagnostics/diagnostic.js';
import type { SourceDoc } from './diagnostics/locate.js';
import { plan } from './plan/plan.js';
import type { ClusterPlan } from './plan/types.js';
import { render, type Artifact } from './render/render.js';
import { parseSecrets } from './secrets/file.js';
import { check, checkDespiteSchemaErrors } from './spec/check.js';
import { checkSecrets } from './spec/check-secrets.js';
import { load } from './spec/load.js';
import type { ClusterSpec } from './spec/types.js';
import { validate } from './spec/validate.js';

export type { Artifact, ClusterPlan, ClusterSpec, Diagnostic };

export interface Analysis {
  source?: SourceDoc;
  spec?: ClusterSpec;
  diagnostics: Diagnostic[];
}

/** Load, validate and check a spec. `spec` is set only when there is no error. */
export function analyze(file: string, text: string): Analysis {
  const loaded = load(file, text);
  if (!loaded.value || hasErrors(loaded.diagnostics)) return { diagnostics: loaded.diagnostics };
  const source = loaded.value;
  const validated = validate(source);
  const diagnostics = [...loaded.diagnostics, ...validated.diagnostics];
  if (!validated.value) {
    // The cluster rules need a valid spec, but the ones that do not still run: every problem at once.
    return { source, diagnostics: [...diagnostics, ...checkDespiteSchemaErrors(source, source.doc.toJS({ maxAliasCount: 100 }))] };
  }
  if (hasErrors(diagnostics)) return { source, diagnostics };
  const checked = check(source, validated.value);
  diagnostics.push(...checked.diagnostics);
  return hasErrors(diagnostics) ? { source, diagnostics } : { source, spec: validated.value, diagnostics };
}

export interface CompileResult {
  plan?: ClusterPlan;
  artifacts?: Artifact[];
  diagnostics: Diagnostic[];
}

/** The whole compiler: a pure function of (spec text, secrets text). Problems in both files are reported together. */
export function compile(specFile: string, specText: string, secretsFile: string, secretsText: string): CompileResult {
  const analysis = analyze(specFile, specText);
  const secrets = parseSecrets(secretsFile, secretsText);
  const diagnostics = [...analysis.diagnostics, ...secrets.diagnostics];
  if (!analysis.spec || !analysis.source || !secrets.value || hasErrors(diagnostics)) return { diagnostics };
  diagnostics.push(...checkSecrets(analysis.source, analysis.spec, secrets.value, secretsFile));
  if (hasErrors(diagnostics)) return { diagnostics };
  const clusterPlan = plan(analysis.spec, secrets.value);
  return { plan: clusterPlan, artifacts: render(clusterPlan), diagnostics };
}

/**
 * validate: every problem compile would find, without writing anything. With no secrets
 * file yet, the spec is checked against the empty one compile would create (so a Wi-Fi
 * network without its passphrase is found now, not at the first compile).
 */
export function validateAll(specFile: string, specText: string, secrets: { file: string; text?: string }): Diagnostic[] {
  if (secrets.text !== undefined) return compile(specFile, specText, secrets.file, secrets.text).diagnostics;
  const analysis = analyze(specFile, specText);
  if (!analysis.spec || !analysis.source) return analysis.diagnostics;
  const empty = { cluster: analysis.spec.metadata.name, wifi: new Map<string, string>() };
  return [...analysis.diagnostics, ...checkSecrets(analysis.source, analysis.spec, empty, `${secrets.file} (not created yet: run \`picc secrets init\`)`)];
}
