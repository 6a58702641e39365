// Reading and writing the secrets file: the only I/O in src/secrets/. The file is always
// created 0600, a new one never replaces an existing one (that would silently swap the
// cluster's CA), and a rewrite goes through a temp file so a crash leaves the old file whole.

import { open, readFile, rename, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

const MODE = 0o600;

/** `<dir>/<spec name without .yaml/.yml>.secrets.yaml`, beside the spec. */
export function defaultSecretsPath(specPath: string): string {
  const name = basename(specPath).replace(/\.ya?ml$/i, '');
  return join(dirname(specPath), `${name}.secrets.yaml`);
}

/** The file's text, or undefined when there is no such file. Other errors are thrown. */
export async function readSecretsFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/** Creates the file with mode 0600; throws if it already exists. */
export async function writeNewSecretsFile(path: string, text: string): Promise<void> {
  try {
    await writePrivate(path, text);
  } catch (err) {
    if (isErrno(err, 'EEXIST')) {
      throw new Error(
        `${path} already exists; picc never overwrites a secrets file (it holds the cluster's CA). ` +
          'Move it away yourself if you really mean to start a new cluster.',
      );
    }
    throw err;
  }
}

/** Replaces the file's content atomically (temp file beside it, then rename), mode 0600. */
export async function replaceSecretsFile(path: string, text: string): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writePrivate(temp, text);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

async function writePrivate(path: string, text: string): Promise<void> {
  // 'wx' fails on an existing file (or symlink), so nothing is ever written through one.
  const file = await open(path, 'wx', MODE);
  try {
    // The open mode is filtered by the umask; set it explicitly so it is exactly 0600.
    await file.chmod(MODE);
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as NodeJS.ErrnoException).code === code;
}
