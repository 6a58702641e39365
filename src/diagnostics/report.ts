// Helpers that build diagnostics with their source position filled in.

import type { Diagnostic, DocPath, Severity } from './diagnostic.js';
import { defaultHint, type Code } from './codes.js';
import { locate, type SourceDoc } from './locate.js';

export interface ReportOptions {
  severity?: Severity;
  hint?: string;
  /** Point at the key of the last path segment rather than its value. */
  atKey?: boolean;
}

export function report(source: SourceDoc, code: Code, path: DocPath, message: string, opts: ReportOptions = {}): Diagnostic {
  const pos = locate(source, path, { key: opts.atKey ?? false });
  const hint = opts.hint ?? defaultHint(code);
  return {
    severity: opts.severity ?? 'error',
    code,
    message,
    file: source.file,
    path,
    line: pos.line,
    col: pos.col,
    span: pos.span,
    ...(hint ? { hint } : {}),
  };
}

/** A diagnostic about a whole file that has no usable position (unreadable, empty). */
export function fileProblem(file: string, code: Code, message: string, hint?: string): Diagnostic {
  const h = hint ?? defaultHint(code);
  return { severity: 'error', code, message, file, path: [], ...(h ? { hint: h } : {}) };
}
