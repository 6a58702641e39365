// Hostile-input guard for every YAML file picc reads (the spec, the secrets file): text in,
// parsed documents or diagnostics out, never an exception and never unbounded work.
// - size (PICC005) is checked before any parsing;
// - nesting depth (PICC006) is estimated on the text before parsing (nesting-estimate.ts),
//   then measured on the parser's token tree with an explicit stack before the recursive
//   composer runs (a 100,000-deep [[[… would overflow the JS stack);
// - a mapping wider than 1,000 entries (PICC005) is refused before yaml's quadratic
//   duplicate-key check runs on it;
// - aliases (PICC007) and explicit tags (PICC008) are refused where they are written:
//   aliases make a value's position ambiguous and allow "billion laughs" expansion
//   (nodeDefaults is the spec's way to share settings); tags change what a value is;
// - NUL and a byte-order mark inside the text (PICC009) are refused, a leading BOM is a warning.
// Syntax errors and duplicate keys are mapped by yaml-errors.ts.

import { Composer, LineCounter, Parser, isAlias, isNode, isScalar, visit, type CST, type Document } from 'yaml';
import type { Diagnostic } from './diagnostic.js';
import { defaultHint, type Code } from './codes.js';
import { firstPlaceDeeperThan } from './nesting-estimate.js';
import { yamlProblems, type YamlProblemOptions } from './yaml-errors.js';

export const YAML_INPUT_LIMITS = {
  /** A real spec or secrets file is a few KiB; a multi-MiB file is a mistake or an attack. */
  maxBytes: 1024 * 1024,
  /** A spec nests about 7 levels deep (spec.nodes[i].taints[j].key); 64 leaves ample room. */
  maxDepth: 64,
  /**
   * yaml's duplicate-key check is quadratic in a mapping's size (20,000 keys: 8 s); a spec's
   * widest mapping (a node's labels) holds a handful.
   */
  maxMapEntries: 1000,
} as const;

export interface ParsedYaml {
  /** Empty when the text could not be parsed safely (too large, too deep). */
  docs: Document.Parsed[];
  lineCounter: LineCounter;
  diagnostics: Diagnostic[];
}

export interface YamlInputOptions extends YamlProblemOptions {
  limits?: { maxBytes: number; maxDepth: number; maxMapEntries: number };
}

const PARSE_OPTIONS = { prettyErrors: false, uniqueKeys: true, version: '1.2' } as const;

export function parseYamlInput(file: string, text: string, opts: YamlInputOptions = {}): ParsedYaml {
  const limits = opts.limits ?? YAML_INPUT_LIMITS;
  const lineCounter = new LineCounter();
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > limits.maxBytes) {
    // No position: the formatter would print the (possibly megabytes long) source line.
    return { docs: [], lineCounter, diagnostics: [{
      severity: 'error', code: 'PICC005', file, path: [],
      message: `the file is ${bytes.toLocaleString('en-US')} bytes; picc reads at most ${limits.maxBytes.toLocaleString('en-US')} bytes${mebibytes(limits.maxBytes)}`,
      hint: defaultHint('PICC005')!,
    }] };
  }
  const at = (code: Code, offset: number, span: number, message: string, hint: string, severity: Diagnostic['severity'] = 'error'): Diagnostic => {
    const { line, col } = lineCounter.linePos(offset);
    return { severity, code, message, file, path: [], line, col, span: Math.max(1, span), hint };
  };
  // Line starts come from the text itself, not from the parser's callback: in error
  // recovery the parser skips the newline inside a broken multi-line scalar, and every
  // position after it would land on the wrong line (past the end of a short one).
  lineCounter.addNewLine(0);
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineCounter.addNewLine(i + 1);
  // Far too deep is refused before parsing, which would take seconds (see nesting-estimate.ts);
  // the estimate may run high, hence the wide margin before the exact check below.
  const farTooDeep = firstPlaceDeeperThan(text, limits.maxDepth * 4);
  if (farTooDeep !== undefined) {
    return { docs: [], lineCounter, diagnostics: [at('PICC006', farTooDeep, 1, `the YAML nests deeper than ${limits.maxDepth} levels`, defaultHint('PICC006')!)] };
  }
  const tokens = Array.from(new Parser().parse(text));
  const diagnostics = characterProblems(text, at);
  const scan = scanTokens(tokens, limits);
  if (scan.tooDeep) {
    diagnostics.push(at('PICC006', scan.tooDeep.offset, 1, `the YAML nests deeper than ${limits.maxDepth} levels`, defaultHint('PICC006')!));
    return { docs: [], lineCounter, diagnostics };
  }
  if (scan.tooWide) {
    diagnostics.push(at('PICC005', scan.tooWide.offset, 1, `a mapping holds ${scan.tooWide.entries.toLocaleString('en-US')} entries; picc reads at most ${limits.maxMapEntries.toLocaleString('en-US')} in one mapping`, defaultHint('PICC005')!));
    return { docs: [], lineCounter, diagnostics };
  }
  for (const alias of scan.aliases) {
    // An alias is resolved by an anchor of the same name set earlier in the text.
    const anchored = scan.anchors.some((a) => a.offset < alias.offset && a.source.slice(1) === alias.source.slice(1));
    const message = anchored ? `YAML alias ${alias.source} is not supported` : `YAML alias ${alias.source} refers to no anchor (&${alias.source.slice(1)}), and aliases are not supported`;
    diagnostics.push(at('PICC007', alias.offset, alias.source.length, message, defaultHint('PICC007')!));
  }
  for (const tag of scan.tags) {
    diagnostics.push(at('PICC008', tag.offset, tag.source.length, `explicit YAML tag ${tag.source} is not supported`, defaultHint('PICC008')!));
  }
  let docs: Document.Parsed[];
  try {
    docs = Array.from(new Composer(PARSE_OPTIONS).compose(tokens));
  } catch (e) {
    // The depth scan should make this unreachable; if the composer still runs out of stack,
    // that is a property of the input, not a bug to crash on.
    if (!(e instanceof RangeError)) throw e;
    diagnostics.push(at('PICC006', 0, 1, 'the YAML is nested too deeply to read', defaultHint('PICC006')!));
    return { docs: [], lineCounter, diagnostics };
  }
  // A list or mapping used as a key has no plain-object form (yaml would stringify it, with
  // a process warning on stderr); no spec or secrets key is one.
  for (const doc of docs) {
    visit(doc, {
      Pair: (_key, pair) => {
        // An alias as a key is reported as an alias (PICC007), not twice.
        if (isScalar(pair.key) || isAlias(pair.key) || pair.key === null || !isNode(pair.key)) return;
        const [start, end] = pair.key.range ?? [0, 1];
        diagnostics.push(at('PICC002', start, end - start, 'a list or mapping used as a key', 'write the key as plain text'));
      },
    });
  }
  // yaml's own "Unresolved tag" warnings say less than PICC008 about the same place.
  const parserProblems = docs.flatMap((doc) => yamlProblems(file, text, doc, lineCounter, opts))
    .filter((d) => !(scan.tags.length > 0 && d.severity === 'warning' && /^Unresolved tag/.test(d.message)));
  return { docs, lineCounter, diagnostics: [...diagnostics, ...parserProblems] };
}

function mebibytes(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? ` (${bytes / (1024 * 1024)} MiB)` : '';
}

interface TokenScan {
  tooDeep?: { offset: number };
  tooWide?: { offset: number; entries: number };
  aliases: { offset: number; source: string }[];
  anchors: { offset: number; source: string }[];
  tags: { offset: number; source: string }[];
}

/**
 * Walks the concrete syntax tree iteratively: its depth, its aliases and its tags.
 * Every token kind keeps its children in some of these fields; walking them all
 * generically means no token kind is missed.
 */
function scanTokens(tokens: readonly CST.Token[], limits: { maxDepth: number; maxMapEntries: number }): TokenScan {
  const out: TokenScan = { aliases: [], anchors: [], tags: [] };
  const stack: { node: unknown; depth: number }[] = tokens.map((node) => ({ node, depth: 0 }));
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (Array.isArray(node)) {
      for (const child of node) stack.push({ node: child, depth });
      continue;
    }
    if (typeof node !== 'object' || node === null) continue;
    const t = node as { type?: string; offset?: number; source?: string };
    if (t.type === 'alias') out.aliases.push({ offset: t.offset ?? 0, source: t.source ?? '*' });
    if (t.type === 'anchor') out.anchors.push({ offset: t.offset ?? 0, source: t.source ?? '&' });
    if (t.type === 'tag') out.tags.push({ offset: t.offset ?? 0, source: t.source ?? '!' });
    const nests = t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection';
    const childDepth = nests ? depth + 1 : depth;
    if (childDepth > limits.maxDepth) {
      out.tooDeep = { offset: t.offset ?? 0 };
      return out;
    }
    const n = node as Record<string, unknown>;
    const isMap = t.type === 'block-map' || (t.type === 'flow-collection' && (n['start'] as { source?: string } | undefined)?.source === '{');
    const entries = Array.isArray(n['items']) ? n['items'].length : 0;
    if (isMap && entries > limits.maxMapEntries && !out.tooWide) out.tooWide = { offset: t.offset ?? 0, entries };
    for (const field of ['start', 'props', 'key', 'sep', 'value', 'items', 'end']) {
      if (n[field] !== undefined && n[field] !== null) stack.push({ node: n[field], depth: field === 'items' ? childDepth : depth });
    }
  }
  // The stack pops in reverse: report in source order.
  out.aliases.sort((a, b) => a.offset - b.offset);
  out.tags.sort((a, b) => a.offset - b.offset);
  return out;
}

type At = (code: Code, offset: number, span: number, message: string, hint: string, severity?: Diagnostic['severity']) => Diagnostic;

/** NUL anywhere, and U+FEFF other than as the first character: each kind once, with a count. */
function characterProblems(text: string, at: At): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (text.startsWith('\uFEFF')) {
    out.push(at('PICC009', 0, 1, 'the file starts with a byte-order mark (U+FEFF); picc ignores it', 'save the file as UTF-8 without a byte-order mark', 'warning'));
  }
  const kinds: [RegExp, string, string][] = [
    [/\0/g, 'a NUL character (U+0000)', 'remove it: the file may be binary or corrupted'],
    [/(?!^)\uFEFF/g, 'a byte-order mark (U+FEFF) past its start', 'remove it (editors show it as nothing; it often comes from pasting)'],
  ];
  for (const [re, what, hint] of kinds) {
    const found = [...text.matchAll(re)];
    if (found.length === 0) continue;
    const more = found.length > 1 ? ` (and ${found.length - 1} more)` : '';
    out.push(at('PICC009', found[0]!.index, 1, `the text holds ${what}${more}`, hint));
  }
  return out;
}
