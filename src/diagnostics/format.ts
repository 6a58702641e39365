// Renders diagnostics for people and for tools.
//
// Human form (one block per diagnostic, blank line between blocks):
//
//   error[PICC112]: spec.nodes[1].address: 192.168.2.7 is outside spec.network.subnet 192.168.1.0/24
//     --> cluster.yaml:14:14
//      |
//   14 |     address: 192.168.2.7
//      |              ^^^^^^^^^^^
//      = hint: give the node an address inside 192.168.1.0/24, or widen the subnet
//
// followed by a summary line ("error: 3 problems found in cluster.yaml; nothing was written").
// JSON form: {"diagnostics":[{severity,code,message,file,path,line,col,hint}]}

import { formatPath, sortDiagnostics, type Diagnostic } from './diagnostic.js';

export type SourceTexts = ReadonlyMap<string, string>;

export function formatHuman(diagnostics: readonly Diagnostic[], sources: SourceTexts): string {
  return sortDiagnostics(diagnostics)
    .map((d) => formatOne(d, sources.get(d.file)))
    .join('\n');
}

function formatOne(d: Diagnostic, text: string | undefined): string {
  const where = d.path.length > 0 ? `${formatPath(d.path)}: ` : '';
  const lines = [`${d.severity}[${d.code}]: ${where}${d.message}`];
  if (d.line !== undefined) {
    const col = d.col ?? 1;
    lines.push(`  --> ${d.file}:${d.line}:${col}`);
    const sourceLine = text?.split('\n')[d.line - 1];
    if (sourceLine !== undefined) {
      const gutter = ' '.repeat(String(d.line).length);
      const span = Math.max(1, Math.min(d.span ?? 1, sourceLine.length - col + 1));
      lines.push(`${gutter} |`);
      lines.push(`${d.line} | ${sourceLine.replace(/\t/g, ' ')}`);
      lines.push(`${gutter} | ${' '.repeat(col - 1)}${'^'.repeat(span)}`);
      if (d.hint) lines.push(`${gutter} = hint: ${d.hint}`);
      return lines.join('\n') + '\n';
    }
  } else {
    lines.push(`  --> ${d.file}`);
  }
  if (d.hint) lines.push(`   = hint: ${d.hint}`);
  return lines.join('\n') + '\n';
}

/** One line per diagnostic: file:line:col: severity[code]: path: message (hint: …) */
export function formatRaw(diagnostics: readonly Diagnostic[]): string {
  return sortDiagnostics(diagnostics)
    .map((d) => {
      const pos = d.line !== undefined ? `${d.file}:${d.line}:${d.col ?? 1}` : d.file;
      const where = d.path.length > 0 ? `${formatPath(d.path)}: ` : '';
      const hint = d.hint ? ` (hint: ${d.hint})` : '';
      return `${pos}: ${d.severity}[${d.code}]: ${where}${d.message}${hint}\n`;
    })
    .join('');
}

export function formatJson(diagnostics: readonly Diagnostic[]): string {
  const out = sortDiagnostics(diagnostics).map((d) => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: d.file,
    path: formatPath(d.path),
    line: d.line ?? null,
    col: d.col ?? null,
    hint: d.hint ?? null,
  }));
  return JSON.stringify({ diagnostics: out }, null, 2) + '\n';
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
