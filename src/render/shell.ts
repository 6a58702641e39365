// The one quoting filter for shell output, and the heredoc guard. Every spec value
// that reaches a script passes through `sh` (a test enforces it over the templates).

/** Quotes a value as one shell word: 'it'\''s' — safe for any bytes except NUL. */
export function shQuote(value: unknown): string {
  if (value === null || value === undefined) throw new Error('shQuote: value is null or undefined (a plan field is missing)');
  const s = String(value);
  if (s.includes('\0')) throw new Error('shQuote: NUL byte in value');
  // Plain words stay readable; anything else is single-quoted.
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  // With $ or ` inside, double quotes with those escaped: the same word, and shellcheck
  // does not mistake a literal $(…) for an expansion meant to happen (SC2016).
  if (/[$`]/.test(s)) return `"${s.replace(/[$`"\\]/g, '\\$&')}"`;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each item of a list with shQuote and joins them with single spaces. */
export function shWords(values: unknown): string {
  if (!Array.isArray(values)) throw new Error('shwords: value must be a list');
  return values.map(shQuote).join(' ');
}

export const HEREDOC_DELIMITER = 'PICC_EOF';
// The delimiter as a whole line anywhere in a text (one scan, no array of its lines).
const DELIMITER_LINE = new RegExp(`(?:^|\\n)${HEREDOC_DELIMITER}(?:\\n|$)`);

/**
 * Body of a quoted heredoc (<<'PICC_EOF'): taken literally by bash, so no quoting is
 * needed, but the body must end with a newline and must not contain the delimiter line.
 */
export function heredocBody(value: unknown): string {
  if (typeof value !== 'string') throw new Error('heredoc: content must be a string');
  if (!value.endsWith('\n')) throw new Error('heredoc: content must end with a newline');
  if (DELIMITER_LINE.test(value)) throw new Error(`heredoc: content contains the line ${HEREDOC_DELIMITER}`);
  return value;
}
