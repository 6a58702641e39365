// What the CLI tells the user: diagnostics, notes and results, for people (code frames on
// stderr, results on stdout, colour only on a TTY without NO_COLOR) or for tools (exactly
// one JSON document on stdout, nothing on stderr). It also decides the exit code of bad
// input: 1 when there is an error, or a warning under --strict.

import { hasErrors, type Diagnostic } from '../diagnostics/diagnostic.js';
import { formatHuman, formatJson, summary } from '../diagnostics/format.js';
import { printable } from '../diagnostics/printable.js';

export interface OutputOptions {
  format: 'human' | 'json';
  strict?: boolean;
}

/** Ends the command with this exit code once everything has been printed. */
export class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export interface Streams {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  env: Readonly<Record<string, string | undefined>>;
}

/** Colour only for a person at a terminal who has not asked for none (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean }, env: Streams['env']): boolean {
  return stream.isTTY === true && !env['NO_COLOR'] && env['TERM'] !== 'dumb';
}

export class Reporter {
  readonly sources = new Map<string, string>();
  private readonly diagnostics: Diagnostic[] = [];
  private readonly notes: string[] = [];

  constructor(readonly command: string, readonly opts: OutputOptions, private readonly io: Streams) {}

  add(...diagnostics: Diagnostic[]): void {
    this.diagnostics.push(...diagnostics);
  }

  /** A message for the user that is not a diagnostic (e.g. "created the secrets file"). */
  note(text: string): void {
    if (this.opts.format === 'json') this.notes.push(text);
    else this.io.stderr.write(`picc: ${printable(text)}\n`);
  }

  get failing(): boolean {
    return hasErrors(this.diagnostics) || (this.opts.strict === true && this.diagnostics.length > 0);
  }

  /** Prints everything and ends the command with exit 1 when the input is bad. */
  stopIfFailing(): void {
    if (!this.failing) return;
    this.print(false, {});
    throw new Exit(1);
  }

  /** Ends the command: stops first if anything failed, else prints the result. */
  succeed(humanLines: readonly string[], data: Record<string, unknown> = {}): void {
    this.stopIfFailing();
    this.print(true, data);
    if (this.opts.format === 'human') for (const line of humanLines) this.io.stdout.write(`${printable(line)}\n`);
  }

  /**
   * Ends a command whose result is printed whether or not it failed (verify's table of
   * checks): the result, then the diagnostics; exit 1 when anything failed.
   */
  conclude(humanLines: readonly string[], data: Record<string, unknown> = {}): void {
    const ok = !this.failing;
    if (this.opts.format === 'human') for (const line of humanLines) this.io.stdout.write(`${printable(line)}\n`);
    this.print(ok, data);
    if (!ok) throw new Exit(1);
  }

  private print(ok: boolean, data: Record<string, unknown>): void {
    if (this.opts.format === 'json') {
      const notes = this.notes.length > 0 ? { notes: this.notes } : {};
      this.io.stdout.write(formatJson(this.diagnostics, { command: this.command, ok, ...data, ...notes }));
      return;
    }
    if (this.diagnostics.length === 0) return;
    this.io.stderr.write(formatHuman(this.diagnostics, this.sources, { color: useColor(this.io.stderr, this.io.env) }));
    this.io.stderr.write(summary(this.diagnostics, ok && data['wrote'] === true));
  }
}
