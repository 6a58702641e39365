// Renders diagnostics for people and for tools.
//
// Human form (one block per diagnostic, blank line between blocks):
//
//   error[PICC203]: spec.nodes[1].address: 192.168.2.7 is outside spec.network.subnet 192.168.1.0/24
//     --> cluster.yaml:14:14
//      |
//   14 |     address: 192.168.2.7
//      |              ^^^^^^^^^^^
//      = hint: give the node an address inside 192.168.1.0/24, or widen the subnet
//
// followed by a summary line ("3 errors; nothing was written"). Every piece of text that
// may come from the user's files goes through printable(): control characters, line
// separators and bidi overrides appear as escapes, never raw in the terminal. Colour
// (severity and caret) only when the caller says so: a TTY and no NO_COLOR.
//
// JSON form, one document for tools:
//   {"diagnostics":[{severity,code,message,path,file,line,column,hint}]}
// with line, column and hint null when absent. These field names are a contract.

import { formatPath, sortDiagnostics, type Diagnostic } from './diagnostic.js';
import { jsonSafe, printable } from './printable.js';

export type SourceTexts = ReadonlyMap<string, string>;

export interface HumanOptions {
  color?: boolean;
}

const STYLE = { error: '\u001b[1;31m', warning: '\u001b[1;33m', caret: '\u001b[1;36m', reset: '\u001b[0m' } as const;

export function formatHuman(diagnostics: readonly Diagnostic[], sources: SourceTexts, opts: HumanOptions = {}): string {
  return sortDiagnostics(diagnostics)
    .map((d) => formatOne(d, sources.get(d.file), opts.color === true))
    .join('\n');
}

function formatOne(d: Diagnostic, text: string | undefined, color: boolean): string {
  const paint = (style: keyof typeof STYLE, s: string): string => (color ? `${STYLE[style]}${s}${STYLE.reset}` : s);
  const where = d.path.length > 0 ? `${printable(formatPath(d.path))}: ` : '';
  const lines = [`${paint(d.severity, `${d.severity}[${d.code}]`)}: ${where}${printable(d.message)}`];
  const hint = d.hint !== undefined ? printable(d.hint) : undefined;
  if (d.line !== undefined) {
    const col = d.col ?? 1;
    lines.push(`  --> ${printable(d.file)}:${d.line}:${col}`);
    const sourceLine = text?.split('\n')[d.line - 1]?.replace(/\r$/, '');
    if (sourceLine !== undefined) {
      const gutter = ' '.repeat(String(d.line).length);
      const span = Math.max(1, Math.min(d.span ?? 1, sourceLine.length - col + 1));
      // Escapes widen the line: place the caret under the escaped text.
      const shown = (s: string): string => printable(s.replace(/\t/g, ' '));
      const frame = window(shown(sourceLine.slice(0, col - 1)), shown(sourceLine.slice(col - 1, col - 1 + span)), shown(sourceLine.slice(col - 1 + span)));
      lines.push(`${gutter} |`);
      lines.push(`${d.line} | ${frame.text}`);
      lines.push(`${gutter} | ${' '.repeat(frame.caretAt)}${paint('caret', '^'.repeat(frame.caretWidth))}`);
      if (hint) lines.push(`${gutter} = hint: ${hint}`);
      return lines.join('\n') + '\n';
    }
  } else {
    lines.push(`  --> ${printable(d.file)}`);
  }
  if (hint) lines.push(`   = hint: ${hint}`);
  return lines.join('\n') + '\n';
}

const WIDTH = { line: 240, before: 60, marked: 160, after: 20 } as const;

/** A long source line (a pasted blob, a 100,000-bracket line) cut to a window around the mark, with … where cut. */
function window(before: string, marked: string, after: string): { text: string; caretAt: number; caretWidth: number } {
  if (before.length + marked.length + after.length <= WIDTH.line) return { text: before + marked + after, caretAt: before.length, caretWidth: Math.max(1, marked.length) };
  const head = before.length > WIDTH.before ? `…${before.slice(-WIDTH.before)}` : before;
  const mark = marked.length > WIDTH.marked ? `${marked.slice(0, WIDTH.marked)}…` : marked;
  const tail = after.length > WIDTH.after ? `${after.slice(0, WIDTH.after)}…` : after;
  return { text: head + mark + tail, caretAt: head.length, caretWidth: Math.max(1, Math.min(marked.length, WIDTH.marked)) };
}

/** One line per diagnostic: file:line:col: severity[code]: path: message (hint: …) */
export function formatRaw(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const pos = d.line !== undefined ? `${d.file}:${d.line}:${d.col ?? 1}` : d.file;
      const where = d.path.length > 0 ? `${formatPath(d.path)}: ` : '';
      const hint = d.hint ? ` (hint: ${d.hint})` : '';
      return printable(`${pos}: ${d.severity}[${d.code}]: ${where}${d.message}${hint}`) + '\n';
    })
    .join('');
}

/** The stable JSON shape of one diagnostic. */
export function diagnosticJson(d: Diagnostic): Record<string, unknown> {
  return {
    severity: d.severity,
    code: d.code,
    message: d.message,
    path: formatPath(d.path),
    file: d.file,
    line: d.line ?? null,
    column: d.col ?? null,
    hint: d.hint ?? null,
  };
}

/** A JSON document for tools: the diagnostics, plus any fields a command adds (ok, output, …). */
export function formatJson(diagnostics: readonly Diagnostic[], extra: Record<string, unknown> = {}): string {
  return jsonSafe(JSON.stringify({ ...extra, diagnostics: sortDiagnostics(diagnostics).map(diagnosticJson) }, null, 2)) + '\n';
}

export function summary(diagnostics: readonly Diagnostic[], wrote: boolean): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const parts: string[] = [];
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  if (parts.length === 0) return '';
  return `${parts.join(', ')}${wrote ? '' : '; nothing was written'}\n`;
}
