// Stage 1 — load: YAML text → SourceDoc (the parsed document plus a LineCounter),
// or diagnostics for syntax errors. No I/O: the caller passes the text.

import { LineCounter, parseAllDocuments } from 'yaml';
import type { StageResult, Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { fileProblem } from '../diagnostics/report.js';

export function load(file: string, text: string): StageResult<SourceDoc> {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  if (!Array.isArray(docs) || docs.length === 0) {
    return { diagnostics: [fileProblem(file, 'PICC003', 'the file holds no YAML document', 'start from examples/homelab.yaml')] };
  }
  const diagnostics: Diagnostic[] = [];
  for (const doc of docs) {
    for (const err of [...doc.errors, ...doc.warnings]) {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      const duplicate = err.code === 'DUPLICATE_KEY';
      // yaml says only "Map keys must be unique"; name the key so the user knows which.
      const found = duplicate ? keyAt(text, err.pos[0]) : undefined;
      const key = found?.key;
      diagnostics.push({
        severity: doc.errors.includes(err) ? 'error' : 'warning',
        code: duplicate ? 'PICC004' : 'PICC002',
        message: key !== undefined ? `duplicate key "${key}": it is already set earlier in this mapping` : firstLine(err.message),
        file,
        path: [],
        line,
        col,
        span: found ? found.written.length : Math.max(1, err.pos[1] - err.pos[0]),
        hint: duplicate ? `remove one of the two "${key ?? '…'}:" entries` : syntaxHint(err.message),
      });
    }
  }
  if (docs.length > 1) {
    const second = docs[1]!;
    const { line, col } = lineCounter.linePos(second.range[0]);
    diagnostics.push({
      severity: 'error', code: 'PICC003', message: `found ${docs.length} YAML documents, expected one`,
      file, path: [], line, col, hint: 'keep one document per file (no ---)',
    });
  }
  const doc = docs[0]!;
  if (doc.contents === null && diagnostics.length === 0) {
    diagnostics.push(fileProblem(file, 'PICC003', 'the file is empty', 'start from examples/homelab.yaml'));
  }
  return { value: { file, text, doc, lineCounter }, diagnostics };
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
