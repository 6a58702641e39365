// Reading the user's files for the CLI: the spec and the secrets file. Every way a read
// can fail is a diagnostic about that file (PICC001), never an exception; reads are
// bounded, so a huge or endless input (/dev/zero) is refused rather than swallowed.

import { open, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { fileProblem } from '../diagnostics/report.js';
import { defaultSecretsPath } from '../secrets/store.js';

/** Read at most this much of any input; load() refuses texts over its own (smaller) limit with a clear message. */
const READ_CAP_BYTES = 8 * 1024 * 1024;

export interface TextRead {
  text?: string;
  diagnostic?: Diagnostic;
}

const REASONS: Record<string, string> = {
  ENOENT: 'there is no such file',
  EACCES: 'you may not read it',
  EPERM: 'you may not read it',
  EISDIR: 'it is a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'it is a loop of symbolic links',
  ENAMETOOLONG: 'the path is too long',
};

function unreadable(path: string, e: unknown, hint?: string): Diagnostic {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  return fileProblem(path, 'PICC001', `cannot read ${path}: ${REASONS[code] ?? code}`, hint);
}

/** The file's text, read up to READ_CAP_BYTES (+1, so load() can tell the text is too long). */
export async function readText(path: string): Promise<TextRead> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) return { diagnostic: unreadable(path, { code: 'EISDIR' }) };
    const file = await open(path, 'r');
    try {
      const chunks: Buffer[] = [];
      let total = 0;
      while (total <= READ_CAP_BYTES) {
        const chunk = Buffer.alloc(Math.min(1 << 20, READ_CAP_BYTES + 1 - total));
        const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
        if (bytesRead === 0) break;
        chunks.push(chunk.subarray(0, bytesRead));
        total += bytesRead;
      }
      return { text: Buffer.concat(chunks).toString('utf8') };
    } finally {
      await file.close();
    }
  } catch (e) {
    return { diagnostic: unreadable(path, e) };
  }
}

export interface SecretsLocation {
  path?: string;
  diagnostic?: Diagnostic;
}

/**
 * Where the secrets file is: --secrets, or <spec>.secrets.yaml beside the spec. The default
 * needs a spec that is a regular file (not /dev/stdin or a pipe: a secrets file beside
 * those would land in /dev or vanish).
 */
export async function locateSecrets(specPath: string, given: string | undefined): Promise<SecretsLocation> {
  if (given !== undefined) return { path: given };
  const info = await stat(specPath).catch(() => undefined);
  const folder = await realpath(dirname(specPath)).catch(() => '/dev');
  // /dev/stdin < file is a regular file too, but nothing belongs beside it.
  if (!info?.isFile() || /^\/(dev|proc|sys)(\/|$)/.test(folder)) {
    return {
      diagnostic: fileProblem(specPath, 'PICC011', `${specPath} is not a regular file, so there is no place beside it for its secrets file`,
        'name the secrets file with --secrets FILE'),
    };
  }
  return { path: defaultSecretsPath(specPath) };
}

export interface SecretsRead {
  /** The text, when the file exists and could be read. */
  text?: string;
  /** True when there is no file yet (compile may create it). */
  missing: boolean;
  diagnostics: Diagnostic[];
}

/** Reads an existing secrets file; warns (PICC303) when others may read it. */
export async function readSecrets(path: string): Promise<SecretsRead> {
  const info = await stat(path).catch((e: NodeJS.ErrnoException) => e);
  if (info instanceof Error) {
    if (info.code === 'ENOENT') return { missing: true, diagnostics: [] };
    return { missing: false, diagnostics: [unreadable(path, info)] };
  }
  if (!info.isFile()) {
    return { missing: false, diagnostics: [fileProblem(path, 'PICC001', `cannot read ${path}: it is not a regular file`, 'point --secrets at the secrets file itself')] };
  }
  const read = await readText(path);
  if (read.text === undefined) return { missing: false, diagnostics: read.diagnostic ? [read.diagnostic] : [] };
  const diagnostics: Diagnostic[] = [];
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
    diagnostics.push({
      ...fileProblem(path, 'PICC303', `${path} has mode ${mode}: other users of this machine may read the cluster's CA keys`, `chmod 600 ${path}`),
      severity: 'warning',
    });
  }
  return { text: read.text, missing: false, diagnostics };
}
