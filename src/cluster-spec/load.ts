// Stage 1 — load: YAML text → SourceDoc (the parsed document plus a LineCounter),
// or diagnostics for syntax errors, oversized or over-deep input, aliases, tags and
// stray characters (diagnostics/yaml-input.ts). No I/O: the caller passes the text.

import type { StageResult } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { fileProblem } from '../diagnostics/report.js';
import { parseYamlInput } from '../diagnostics/yaml-input.js';

export function load(file: string, text: string): StageResult<SourceDoc> {
  const { docs, lineCounter, diagnostics } = parseYamlInput(file, text);
  if (docs.length === 0) {
    // Too large or too deep: already reported, and there is no document to hand on.
    if (diagnostics.length > 0) return { diagnostics };
    return { diagnostics: [fileProblem(file, 'PICC003', 'the file holds no YAML document', 'start from examples/homelab.yaml')] };
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
