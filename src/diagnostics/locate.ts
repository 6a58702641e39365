// Maps a document path to a 1-based line and column in the YAML source. When the
// path does not exist (a missing required key), the deepest ancestor that does exist
// is used, so every diagnostic still points somewhere useful.

import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { DocPath } from './diagnostic.js';

export interface SourceDoc {
  file: string;
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

export interface Position {
  line: number;
  col: number;
  /** Characters to underline on that line (at least 1). */
  span: number;
}

/**
 * Position of the node at `path`. With `key: true`, a map entry is located by its key
 * (used for "unknown key" errors, where the key itself is the mistake).
 */
export function locate(source: SourceDoc, path: DocPath, opts: { key?: boolean } = {}): Position {
  let node: unknown = source.doc.contents;
  let best: Node | undefined = isNode(node) ? node : undefined;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      if (last && opts.key && isNode(pair.key)) {
        best = pair.key;
        break;
      }
      node = pair.value;
      // yaml gives `key:` with no value an empty null scalar at the end of the line: no place to point at.
      const empty = isScalar(pair.value) && pair.value.value === null && pair.value.range?.[0] === pair.value.range?.[1];
      if (isNode(pair.value) && !empty) best = pair.value;
      else if (isNode(pair.key)) {
        // `key:` with no value: point at the key.
        best = pair.key;
        break;
      }
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (!isNode(item)) break;
      node = item;
      best = item;
    } else break;
  }
  const start = best?.range?.[0] ?? 0;
  const end = best?.range?.[1] ?? start + 1;
  const { line, col } = source.lineCounter.linePos(start);
  const lineEnd = source.text.indexOf('\n', start);
  const limit = lineEnd === -1 ? source.text.length : lineEnd;
  const span = Math.max(1, Math.min(end, limit) - start);
  return { line, col, span };
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && 'range' in value;
}
