// Stage 1 — load: YAML text → SourceDoc (the parsed document plus a LineCounter),
// or diagnostics for syntax errors. No I/O: the caller passes the text.

import { LineCounter, parseAllDocuments } from 'yaml';
import type { StageResult, Diagnostic } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { fileProblem } from '../diagnostics/report.js';
import { yamlProblems } from '../diagnostics/yaml-errors.js';

export function load(file: string, text: string): StageResult<SourceDoc> {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: true, version: '1.2' });
  if (!Array.isArray(docs) || docs.length === 0) {
    return { diagnostics: [fileProblem(file, 'PICC003', 'the file holds no YAML document', 'start from examples/homelab.yaml')] };
  }
  const diagnostics: Diagnostic[] = docs.flatMap((doc) => yamlProblems(file, text, doc, lineCounter));
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
