// Diagnostics are values, not exceptions: every stage returns the problems it found
// and the pipeline stops between stages only when one of them is an error.

import { compareCodeUnits } from '../order.js';

export type Severity = 'error' | 'warning';

/** A path into the input document: object keys and array indexes, outermost first. */
export type DocPath = readonly (string | number)[];

export interface Diagnostic {
  severity: Severity;
  /** Stable identifier from the catalogue in codes.ts, e.g. PICC104. */
  code: string;
  message: string;
  /** The file the problem is in (spec or secrets file), as the user named it. */
  file: string;
  path: DocPath;
  /** 1-based; absent only when the problem has no place in a file (e.g. unreadable file). */
  line?: number;
  col?: number;
  /** How many characters the caret underline covers. */
  span?: number;
  hint?: string;
}

/** Result of a stage: a value when the stage could produce one, and what it found on the way. */
export interface StageResult<T> {
  value?: T;
  diagnostics: Diagnostic[];
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Renders a path the way users write it in YAML: spec.nodes[2].address */
export function formatPath(path: DocPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out === '' ? '(document)' : out;
}

/** Sorts by file, then position, then code, so output order never depends on stage order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareCodeUnits(a.file, b.file) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0) ||
      compareCodeUnits(a.code, b.code) ||
      compareCodeUnits(a.message, b.message),
  );
}
