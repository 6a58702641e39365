// Runs the CLI's commands in-process for the unit tests: a Reporter over string streams,
// the exit code the command ended with (0, or its Exit), and what it printed.

import { Exit, Reporter, type OutputOptions } from '../../src/cli/reporter.js';

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCommand(name: string, opts: OutputOptions, body: (r: Reporter) => Promise<void>): Promise<CommandRun> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { NO_COLOR: '1' },
  };
  try {
    await body(new Reporter(name, opts, io));
    return { code: 0, stdout, stderr };
  } catch (e) {
    if (e instanceof Exit) return { code: e.code, stdout, stderr };
    throw e;
  }
}
