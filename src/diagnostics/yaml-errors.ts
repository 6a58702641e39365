// YAML parser errors and warnings as diagnostics, shared by the spec and the secrets
// file: syntax errors (PICC002) and duplicate keys (PICC004, with the key named).

import type { Document, LineCounter } from 'yaml';
import type { Diagnostic } from './diagnostic.js';

export interface YamlProblemOptions {
  /**
   * After one syntax error the parser reports a cascade of follow-on errors (one per
   * token) that point nowhere useful; keep only the first when asked.
   */
  firstSyntaxErrorOnly?: boolean;
}

export function yamlProblems(file: string, text: string, doc: Document.Parsed, lineCounter: LineCounter, opts: YamlProblemOptions = {}): Diagnostic[] {
  const firstSyntax = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
  const errors = opts.firstSyntaxErrorOnly ? doc.errors.filter((e) => e.code === 'DUPLICATE_KEY' || e === firstSyntax) : doc.errors;
  return [...errors, ...doc.warnings].map((err) => {
    const { line, col } = lineCounter.linePos(err.pos[0]);
    const duplicate = err.code === 'DUPLICATE_KEY';
    // yaml says only "Map keys must be unique"; name the key so the user knows which.
    const found = duplicate ? keyAt(text, err.pos[0]) : undefined;
    const key = found?.key;
    return {
      severity: doc.errors.includes(err) ? 'error' : 'warning',
      code: duplicate ? 'PICC004' : 'PICC002',
      message: key !== undefined ? `duplicate key "${key}": it is already set earlier in this mapping` : firstLine(err.message),
      file,
      path: [],
      line,
      col,
      span: found ? found.written.length : Math.max(1, err.pos[1] - err.pos[0]),
      hint: duplicate ? `remove one of the two "${key ?? '…'}:" entries` : syntaxHint(err.message),
    } satisfies Diagnostic;
  });
}

function syntaxHint(message: string): string {
  // yaml notices an unclosed [ … ] or { … } only at the next line, so say where to look.
  const unclosed = /^Flow (sequence|map) in block collection must be sufficiently indented and end with a ([\]}])/.exec(message);
  if (unclosed) return `check the ${unclosed[1] === 'sequence' ? '[ … ] list' : '{ … } mapping'} above this line: add its missing ${unclosed[2]}, or indent its continuation lines further`;
  return 'fix the YAML syntax at the marked place';
}

function firstLine(message: string): string {
  // yaml's messages end with "at line L, column C" and a code excerpt; the formatter shows its own.
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/** The plain or quoted key written at `offset` (its value, and the text as written), if one is. */
function keyAt(text: string, offset: number): { key: string; written: string } | undefined {
  const m = /^(?:"([^"\n]*)"|'([^'\n]*)'|([^\s:#'"][^:#\n]*?))\s*:/.exec(text.slice(offset));
  if (!m) return undefined;
  const key = m[1] ?? m[2] ?? m[3]!;
  return { key, written: m[1] !== undefined || m[2] !== undefined ? `"${key}"` : key };
}
