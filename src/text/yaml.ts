// The one YAML serialiser for generated files (user-data, network-config, netplan,
// kubeadm and CNI manifests, kubeconfig): fixed options, keys in the builders' order.
// Its output must read back the same with YAML 1.2 (the `yaml` package) and YAML 1.1
// (PyYAML, which cloud-init and netplan's tooling use). Two things differ there:
//   - 1.1 breaks lines at U+0085, U+2028, U+2029 and refuses non-printable characters
//     (and a TAB or CR inside a plain scalar); the `yaml` package writes them raw. Such
//     strings are written double-quoted here with every one of them escaped.
//   - 1.1 reads more plain scalars as non-strings (on, 0777, 1:20, 2001-12-14, =, <<);
//     those strings are double-quoted too. And the ones only 1.2 reads so (1e3, 0o17) are
//     quoted as the package quotes them.
// Lives under src/text/ because both plan (netplan files) and render use it.

import { Document, type ScalarTag, type Tags } from 'yaml';
import { stringTag, stringifyString } from 'yaml/util';

/** Characters a YAML 1.1 reader takes as printable and never as a line break (TAB and LF aside). */
const PRINTABLE = /^[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]$/u;

// The characters outside PRINTABLE, LF aside, with and without TAB: one scan of the whole
// string (a setup.sh inside user-data is tens of kilobytes), not one regex test per
// character. The scan works on UTF-16 units, taking every surrogate as printable (a pair is
// an astral character, all printable); only a string holding a surrogate at all is scanned
// again by code point, where a lone one shows.
const UNSAFE_UNIT_IN_BLOCK = /[^\n\t\x20-\x7e\xa0-\u2027\u202a-\ufefe\uff00-\ufffd]/;
const UNSAFE_UNIT_IN_LINE = /[^\n\x20-\x7e\xa0-\u2027\u202a-\ufefe\uff00-\ufffd]/;
const SURROGATE = /[\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** Strings the `yaml` package may not be trusted to write: they get our own double-quoted form. */
export function needsEscapedForm(s: string): boolean {
  // A TAB is fine inside a block scalar (multi-line strings go there), not inside a plain one.
  if ((s.includes('\n') ? UNSAFE_UNIT_IN_BLOCK : UNSAFE_UNIT_IN_LINE).test(s)) return true;
  if (SURROGATE.test(s) && LONE_SURROGATE.test(s)) return true;
  return readAsNonStringByYaml11(s);
}

// The implicit types of YAML 1.1 as PyYAML resolves plain scalars (resolver.py), plus
// the spec's y/n booleans; a plain string matching one of these would change type.
const YAML11_IMPLICIT = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9_]+(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<|=|~|null|Null|NULL|)$/,
  /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)$/,
];

function readAsNonStringByYaml11(s: string): boolean {
  return YAML11_IMPLICIT.some((re) => re.test(s));
}

const NAMED_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\t': '\\t', '\r': '\\r', '\0': '\\0' };

/** A double-quoted scalar on one line, with only printable ASCII and safe Unicode left raw. */
export function doubleQuoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const named = Object.hasOwn(NAMED_ESCAPES, ch) ? NAMED_ESCAPES[ch] : undefined;
    if (named !== undefined) out += named;
    else if (PRINTABLE.test(ch)) out += ch;
    else out += codePointEscape(ch.codePointAt(0)!);
  }
  return out + '"';
}

function codePointEscape(cp: number): string {
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/**
 * The literal block the `yaml` package writes for a nested multi-line string in the common
 * shape (no leading space or newline, exactly one trailing newline; no comment, style or
 * flow context); undefined for any other string, which the package then writes itself.
 * Same bytes (a property test holds the two together), without the package's several scans
 * and concatenations of what is a whole setup.sh in user-data.
 */
function literalBlock(value: string, item: { type?: unknown; comment?: unknown }, ctx: StringifyContext): string | undefined {
  const { indent, implicitKey, inFlow, options } = ctx;
  if (implicitKey || inFlow || indent === '' || item.type !== undefined || item.comment) return undefined;
  if (options.blockQuote !== true || options.lineWidth !== 0 || options.defaultStringType !== 'PLAIN') return undefined;
  const last = value.length - 1;
  if (last < 1 || value[last] !== '\n' || /[\n\t ]/.test(value[last - 1]!) || /^[\n ]/.test(value) || !value.includes('\n')) return undefined;
  // Every line indented but empty ones, as the package does it.
  return `|\n${indent}${value.slice(0, last).replace(/\n+/g, `$&${indent}`)}`;
}

/**
 * A long string given as parts, written as the literal block literalBlock() would write for
 * their join, part by part (no string of the whole is made). Undefined when the whole is
 * not in literalBlock's common shape or holds anything needsEscapedForm would escape or is
 * not sure of (a surrogate): the caller then writes the joined string the ordinary way.
 */
function literalBlockOfParts(given: readonly string[], item: { type?: unknown; comment?: unknown }, ctx: StringifyContext): string[] | undefined {
  const parts = partsWithoutLeadingNewlines(given);
  if (parts.some((p) => UNSAFE_UNIT_IN_BLOCK.test(p) || SURROGATE.test(p))) return undefined;
  const first = parts[0];
  const last = parts.at(-1);
  // literalBlock's own test on a stand-in with the join's first character and last two
  // (all its shape test reads) and the same item and context.
  if (first === undefined || last === undefined || last.length < 2) return undefined;
  const probe = literalBlock(`${first[0]}${last.slice(-2)}`, item, ctx);
  if (probe === undefined) return undefined;
  const { indent } = ctx;
  const out = [`|\n${indent}`];
  parts.forEach((p, i) => out.push(indented(i === parts.length - 1 ? p.slice(0, -1) : p, indent)));
  return out;
}

/** Every line but the first indented, empty ones left empty (what literalBlock does to the whole). */
function indented(text: string, indent: string): string {
  return text.replace(/\n+/g, `$&${indent}`);
}

// A run of newlines split between two parts would be indented twice: each part's leading
// newlines move to the end of the part before it (and empty parts go), so no run is split.
function partsWithoutLeadingNewlines(parts: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    let start = 0;
    while (start < p.length && p.charCodeAt(start) === 10) start++;
    if (start > 0 && out.length > 0) out[out.length - 1] += p.slice(0, start);
    else if (start > 0) out.push(p.slice(0, start));
    if (start < p.length) out.push(start > 0 ? p.slice(start) : p);
  }
  return out;
}

// Blocks stand in the package's output as \0<n>\0 and are put in place after it: a raw NUL
// appears nowhere else (needsEscapedForm sends every string holding one to doubleQuoted).
// A block of long parts (toYamlParts) stands there as one entry of several strings.
let pendingBlocks: (string | readonly string[])[] | undefined;
let pendingLong: ReadonlyMap<string, readonly string[]> | undefined;
let longFallback = false;

/** The core schema's string tag, writing risky strings (values and keys) in our own form. */
const safeStringTag: ScalarTag = {
  ...stringTag,
  stringify(item, ctx, onComment, onChompKeep) {
    const value = (item as { value: unknown }).value;
    const long = typeof value === 'string' ? pendingLong?.get(value) : undefined;
    if (long !== undefined) {
      const block = literalBlockOfParts(long, item as { type?: unknown; comment?: unknown }, ctx as StringifyContext);
      if (block !== undefined) return `\0${pendingBlocks!.push(block) - 1}\0`;
      longFallback = true;
      return '';
    }
    if (typeof value === 'string' && needsEscapedForm(value)) return doubleQuoted(value);
    const block = typeof value === 'string' && pendingBlocks ? literalBlock(value, item as { type?: unknown; comment?: unknown }, ctx as StringifyContext) : undefined;
    if (block !== undefined) return `\0${pendingBlocks!.push(block) - 1}\0`;
    // As the package's own string tag does: a string YAML 1.2 reads as a number, a boolean
    // or null ("1e3", "0o17") is quoted, not only those YAML 1.1 reads so (needsEscapedForm).
    return stringifyString(item, { ...ctx, actualString: true }, onComment, onChompKeep);
  },
};

interface StringifyContext {
  indent: string;
  implicitKey?: boolean;
  inFlow?: boolean | null;
  options: { blockQuote?: unknown; lineWidth?: unknown; defaultStringType?: unknown };
}

function withSafeStrings(tags: Tags): Tags {
  return tags.map((t) => (typeof t === 'object' && t.tag === stringTag.tag ? safeStringTag : t));
}

const OPTIONS = { lineWidth: 0, indent: 2, aliasDuplicateObjects: false, customTags: withSafeStrings } as const;

// What the package's stringify(value, OPTIONS) does, on one Document made once: stringify
// makes a Document, and with it a schema and its tags, for every call, which is most of
// the time a small document takes (a big cluster writes thousands of them).
let shared: Document | undefined;

function libraryStringify(value: unknown): string {
  shared ??= new Document(null, OPTIONS);
  shared.contents = shared.createNode(value, OPTIONS);
  return shared.toString(OPTIONS);
}

// ---------------------------------------------------------------- the direct writer
// Plain data (plain objects, arrays, strings, finite numbers, booleans, null) written
// straight to text, as the package writes it with OPTIONS and safeStringTag, without the
// package's document model: that model was most of a big cluster's compile time and of its
// garbage. Whatever it is not sure to write the package's way (a multi-line string of an
// unusual shape, a key of a thousand characters, a Map, a float in exponent form) makes it
// give up, and the package writes the whole value. So the output is the package's either
// way; test/unit/yaml-fast-paths.test.ts compares the two on many generated values.

const GIVE_UP = Symbol('give up');
const LONG_FALLBACK = Symbol('long string not writable part by part');

/** The strings YAML 1.2's core schema reads as something else (null, a boolean, a number). */
const CORE_NON_STRING = /^(?:|~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+)$/;

/** A one-line string that cannot stand plain: an indicator first, `: ` or ` #` inside, a space or `:` last. */
function cannotBePlain(s: string): boolean {
  const first = s[0];
  if (first === undefined || ',[]{}#&*!|>\'"%@` \t'.includes(first)) return true;
  if (s === '-' || s === '?' || /^[?-][ \t]/.test(s)) return true;
  if (/:[ \t]|[ \t]#|[ \t:]$/.test(s)) return true;
  return CORE_NON_STRING.test(s);
}

/** A one-line string (key or value) that needs no escaping, as the package writes it. */
function lineScalar(s: string): string {
  if (s.startsWith('---') || s.startsWith('...')) throw GIVE_UP; // the package's document-marker rules
  if (!cannotBePlain(s)) return s;
  // Quoted: single quotes when only double ones are inside, else JSON's double-quoted form.
  return s.includes('"') && !s.includes("'") ? `'${s}'` : JSON.stringify(s);
}

function keyText(k: string): string {
  if (k.length > 1000) throw GIVE_UP; // the package writes long keys as explicit `? ` keys
  if (needsEscapedForm(k)) return doubleQuoted(k);
  if (k.includes('\n')) throw GIVE_UP;
  return lineScalar(k);
}

/** Text made piece by piece: one string until a long string's parts come, which stay parts. */
class Text {
  readonly parts: string[] = [];
  private current = '';

  add(s: string): void {
    this.current += s;
  }

  addParts(parts: readonly string[]): void {
    this.parts.push(this.current, ...parts);
    this.current = '';
  }

  done(): string[] {
    if (this.current !== '' || this.parts.length === 0) this.parts.push(this.current);
    return this.parts;
  }
}

/** A scalar in value position, its block lines indented by `indent`. */
function writeScalar(value: unknown, indent: string, long: ReadonlyMap<string, readonly string[]>, out: Text): void {
  if (value === null || value === undefined) out.add('null');
  else if (typeof value === 'boolean') out.add(value ? 'true' : 'false');
  else if (typeof value === 'number') {
    const text = String(value);
    if (!Number.isFinite(value) || Object.is(value, -0) || text.includes('e')) throw GIVE_UP;
    out.add(text);
  } else if (typeof value === 'string') {
    const parts = long.get(value);
    const ctx = { indent, implicitKey: false, inFlow: false, options: OPTIONS_AS_READ };
    if (parts !== undefined) {
      const block = indent === '' ? undefined : literalBlockOfParts(parts, {}, ctx);
      if (block === undefined) throw LONG_FALLBACK;
      out.addParts(block);
    } else if (needsEscapedForm(value)) out.add(doubleQuoted(value));
    else if (value.includes('\n')) {
      const block = literalBlock(value, {}, ctx);
      if (block === undefined) throw GIVE_UP;
      out.add(block);
    } else out.add(lineScalar(value));
  } else throw GIVE_UP;
}

/** What literalBlock reads of the package's options: OPTIONS with the package's defaults. */
const OPTIONS_AS_READ = { blockQuote: true, lineWidth: 0, defaultStringType: 'PLAIN' };

type Plain = Record<string, unknown>;

function isPlainObject(v: unknown): v is Plain {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const isCollection = (v: unknown): v is Plain | unknown[] => Array.isArray(v) || isPlainObject(v);

/** A map's or sequence's non-empty text: the lines at `indent`, the first one starting with `first` instead. */
function writeCollection(value: Plain | unknown[], indent: string, first: string, long: ReadonlyMap<string, readonly string[]>, out: Text): void {
  let lead = first;
  const child = `${indent}  `;
  const entry = (head: string, item: unknown): void => {
    if (isCollection(item) && !isEmpty(item)) {
      // A map in a sequence starts on the dash's line; anything else nested starts below.
      if (Array.isArray(value)) writeCollection(item, child, `${head} `, long, out);
      else {
        out.add(`${head}\n`);
        writeCollection(item, child, child, long, out);
      }
    } else {
      out.add(`${head} `);
      if (isCollection(item)) out.add(Array.isArray(item) ? '[]' : '{}');
      else writeScalar(item, child, long, out);
      out.add('\n');
    }
    lead = indent;
  };
  if (Array.isArray(value)) {
    for (const item of value) entry(`${lead}-`, item);
  } else {
    for (const k in value) {
      if (!Object.hasOwn(value, k) || value[k] === undefined) continue; // the package leaves such pairs out
      entry(`${lead}${keyText(k)}:`, value[k]);
    }
  }
}

function isEmpty(v: Plain | unknown[]): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v) if (Object.hasOwn(v, k) && v[k] !== undefined) return false;
  return true;
}

/** The package's text for `value`, as parts; GIVE_UP or LONG_FALLBACK thrown when unsure. */
function directParts(value: unknown, long: ReadonlyMap<string, readonly string[]>): string[] {
  const out = new Text();
  if (isCollection(value) && !isEmpty(value)) writeCollection(value, '', '', long, out);
  else if (isCollection(value)) out.add(Array.isArray(value) ? '[]\n' : '{}\n');
  else {
    // A top-level block, or nothing at all: the package's way.
    if (value === undefined || (typeof value === 'string' && (value.includes('\n') || long.has(value)))) throw GIVE_UP;
    writeScalar(value, '', long, out);
    out.add('\n');
  }
  return out.done();
}

/** The direct writer's parts for `value`, or undefined where it leaves the value to the package (tests). */
export function directYamlParts(value: unknown, long: ReadonlyMap<string, readonly string[]> = new Map()): string[] | undefined {
  try {
    return directParts(value, long);
  } catch (e) {
    if (e === GIVE_UP || e === LONG_FALLBACK) return undefined;
    throw e;
  }
}

export function toYaml(value: unknown): string {
  return toYamlParts(value, new Map())!.join('');
}

/**
 * toYaml's text as a list of strings whose join is toYaml's output for `value` with each
 * placeholder string of `long` (a key found as a value in `value`) replaced by the join of
 * its parts. The long strings are written part by part (see literalBlockOfParts); when one
 * of them cannot be, undefined: the caller then joins them and calls toYaml.
 */
export function toYamlParts(value: unknown, long: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  try {
    return directParts(value, long);
  } catch (e) {
    if (e === LONG_FALLBACK) return undefined;
    if (e !== GIVE_UP) throw e;
  }
  return libraryParts(value, long);
}

/** toYamlParts by the package itself. */
function libraryParts(value: unknown, long: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const blocks: (string | readonly string[])[] = [];
  pendingBlocks = blocks;
  pendingLong = long;
  longFallback = false;
  let text: string;
  try {
    text = libraryStringify(value);
  } finally {
    pendingBlocks = undefined;
    pendingLong = undefined;
  }
  if (longFallback) return undefined;
  if (blocks.length === 0) return [text];
  const pieces = text.split('\0');
  if (pieces.length !== 2 * blocks.length + 1) throw new Error('toYaml: a block placeholder was lost');
  const out: string[] = [];
  pieces.forEach((p, i) => {
    if (i % 2 === 0) out.push(p);
    else out.push(...[blocks[Number(p)]!].flat());
  });
  return out;
}

/** Several documents in one file, separated by ---. */
export function toYamlDocuments(docs: readonly unknown[]): string {
  return docs.map((d) => toYaml(d)).join('---\n');
}
