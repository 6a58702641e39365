// Spec text reaches the user's terminal in messages and code frames. A value may hold
// characters a terminal acts on (ESC sequences, C1 controls), that break lines where the
// reader sees none (U+2028), or that reorder what is shown (bidi overrides). They are
// shown as escapes instead, so what is printed is what is in the file.

// C0 controls, DEL, C1 controls, line/paragraph separators, bidi marks and overrides, BOM.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.codePointAt(0)!;
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** The text with every unsafe character written as an escape (\n, \x1b, \u{2028}). */
export function printable(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

// JSON.stringify escapes C0 controls already; these it leaves raw.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** For JSON text: those characters as \uXXXX escapes, which every JSON reader turns back into them. */
export function jsonSafe(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
