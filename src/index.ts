// picc's library API: the pipeline of DESIGN.md as pure functions over text.
//   analyze: load → validate → check           (spec text → spec + diagnostics)
//   compile: analyze → secrets → plan → render  (spec text + secrets text → artifacts)
//   compileLazily: the same, the artifacts made as they are iterated
//   compileAnalyzed, planAnalyzed: from a spec analyze() has already read
// No I/O here; the CLI and emit.ts read and write files.

import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics/diagnostic.js';
import type { SourceDoc } from './diagnostics/locate.js';
import { plan } from './plan/plan.js';
import { upgradeRefusal } from './plan/upgrade.js';
import { report } from './diagnostics/report.js';
import type { ClusterPlan } from './plan/types.js';
import { render, renderArtifacts, type Artifact } from './render/render.js';
import { parseSecrets } from './secrets/file.js';
import { check } from './cluster-spec/check.js';
import { checkSecrets } from './cluster-spec/check-secrets.js';
import { load } from './cluster-spec/load.js';
import type { ClusterSpec } from './cluster-spec/types.js';
import { specData, validate } from './cluster-spec/validate.js';

export type { Artifact, ClusterPlan, ClusterSpec, Diagnostic };

export interface Analysis {
  source?: SourceDoc;
  spec?: ClusterSpec;
  diagnostics: Diagnostic[];
}

/**
 * Load, validate and check a spec: every rule that can run runs, even while the schema
 * reports errors elsewhere, and the problems come back in source order. `spec` is set
 * only when there is no error. Only a file that is not readable YAML stops at load.
 */
export function analyze(file: string, text: string): Analysis {
  const loaded = load(file, text);
  if (!loaded.value || hasErrors(loaded.diagnostics)) return { diagnostics: sortDiagnostics(loaded.diagnostics) };
  const source = loaded.value;
  const validated = validate(source);
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...validated.diagnostics, ...check(source, specData(source))]);
  return validated.value && !hasErrors(diagnostics) ? { source, spec: validated.value, diagnostics } : { source, diagnostics };
}

export interface CompileResult {
  plan?: ClusterPlan;
  artifacts?: Artifact[];
  diagnostics: Diagnostic[];
}

/** The whole compiler: a pure function of (spec text, secrets text). Problems in both files are reported together. */
export function compile(specFile: string, specText: string, secretsFile: string, secretsText: string, options: CompileOptions = {}): CompileResult {
  const planned = planCluster(specFile, specText, secretsFile, secretsText, options);
  return planned.plan ? { plan: planned.plan, artifacts: render(planned.plan), diagnostics: planned.diagnostics } : { diagnostics: planned.diagnostics };
}

export interface LazyCompileResult {
  plan?: ClusterPlan;
  /** compile's artifacts, made one node at a time as they are iterated (not in path order). */
  artifacts?: Iterable<Artifact>;
  diagnostics: Diagnostic[];
}

/** compile, with the artifacts made as they are consumed (the CLI writes each as it comes). */
export function compileLazily(specFile: string, specText: string, secretsFile: string, secretsText: string, options: CompileOptions = {}): LazyCompileResult {
  return compileAnalyzed(analyze(specFile, specText), secretsFile, secretsText, options);
}

/** compileLazily of a spec already analyzed (the CLI reads its name first): it is not parsed twice. */
export function compileAnalyzed(analysis: Analysis, secretsFile: string, secretsText: string, options: CompileOptions = {}): LazyCompileResult {
  const planned = planAnalyzed(analysis, secretsFile, secretsText, options);
  return planned.plan ? { plan: planned.plan, artifacts: renderArtifacts(planned.plan), diagnostics: planned.diagnostics } : { diagnostics: planned.diagnostics };
}

export interface CompileOptions {
  /** The version the cluster runs, and where picc learnt it (picc-facts.json, --from): compile adds upgrade.sh. */
  upgradeFrom?: { version: string; source: string };
}

/** Every stage up to the plan (what `picc plan` shows); the plan only when neither file has an error. */
export function planCluster(specFile: string, specText: string, secretsFile: string, secretsText: string, options: CompileOptions = {}): { plan?: ClusterPlan; diagnostics: Diagnostic[] } {
  return planAnalyzed(analyze(specFile, specText), secretsFile, secretsText, options);
}

/** planCluster of a spec already analyzed. */
export function planAnalyzed(analysis: Analysis, secretsFile: string, secretsText: string, options: CompileOptions = {}): { plan?: ClusterPlan; diagnostics: Diagnostic[] } {
  const secrets = parseSecrets(secretsFile, secretsText);
  const diagnostics = [...analysis.diagnostics, ...secrets.diagnostics];
  if (!analysis.spec || !analysis.source || !secrets.value || hasErrors(diagnostics)) return { diagnostics };
  diagnostics.push(...checkSecrets(analysis.source, analysis.spec, secrets.value, secretsFile));
  const from = options.upgradeFrom;
  const refusal = from ? upgradeRefusal(from.version, analysis.spec.spec.kubernetes.version) : null;
  if (refusal) diagnostics.push(report(analysis.source, 'PICC222', ['spec', 'kubernetes', 'version'], `${refusal.message} (${from!.source})`, { hint: refusal.hint }));
  if (hasErrors(diagnostics)) return { diagnostics };
  return { plan: plan(analysis.spec, secrets.value, from?.version ?? null), diagnostics };
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
