// The CLI's commands over the library: read the files, call the pure functions, write
// the results. Nothing is written unless everything succeeded: compile builds a missing
// secrets file in memory and writes it only once the output is staged, just before the
// output is moved into place.

import { relative } from 'node:path';
import { fileProblem } from '../diagnostics/report.js';
import { OutputRefused, stageOutput, type StagedOutput } from '../emit.js';
import { analyze, compile, compileLazily, validateAll } from '../index.js';
import { parseSecrets, serializeSecrets } from '../secrets/file.js';
import { replaceSecretsFile, writeNewSecretsFile } from '../secrets/store.js';
import { locateSecrets, readSecrets, readText } from './inputs.js';
import { Exit, type Reporter } from './reporter.js';

// Making keys and certificates (@peculiar/x509, the largest dependency) is loaded only when a
// secrets file is made or changed: a compile with its secrets file in place never needs it.
const secretsGenerator = () => import('../secrets/generate.js');

const USER_ERRNO = new Set(['EACCES', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EROFS', 'EPERM', 'ENOSPC', 'EDQUOT', 'ENAMETOOLONG', 'ELOOP', 'EXDEV']);

/** Reads the spec into the reporter's sources; stops the command when it cannot be read. */
export async function specText(spec: string, r: Reporter): Promise<string> {
  const read = await readText(spec);
  if (read.text === undefined) {
    if (read.diagnostic) r.add(read.diagnostic);
    r.stopIfFailing();
    throw new Exit(1);
  }
  r.sources.set(spec, read.text);
  return read.text;
}

/** Reads the secrets file when there is one; its problems join the reporter's. */
export async function secretsText(spec: string, given: string | undefined, r: Reporter): Promise<{ path?: string; text?: string; missing: boolean }> {
  const where = await locateSecrets(spec, given);
  if (!where.path) {
    if (where.diagnostic) r.add(where.diagnostic);
    return { missing: false };
  }
  const read = await readSecrets(where.path);
  r.add(...read.diagnostics);
  if (read.text !== undefined) r.sources.set(where.path, read.text);
  return read.text !== undefined ? { path: where.path, text: read.text, missing: false } : { path: where.path, missing: read.missing };
}

export async function runValidate(spec: string, r: Reporter, opts: { secrets?: string }): Promise<void> {
  const text = await specText(spec, r);
  const secrets = await secretsText(spec, opts.secrets, r);
  r.add(...(secrets.path ? validateAll(spec, text, { file: secrets.path, ...(secrets.text !== undefined ? { text: secrets.text } : {}) }) : analyze(spec, text).diagnostics));
  r.succeed([`picc: ${spec} is valid`], { spec });
}

export async function runCompile(spec: string, r: Reporter, opts: { out: string; secrets?: string; force?: boolean }): Promise<void> {
  const text = await specText(spec, r);
  const secrets = await secretsText(spec, opts.secrets, r);
  const analysis = analyze(spec, text);
  if (!analysis.spec || !secrets.path) {
    // Report the secrets file's own problems too: every problem at once.
    r.add(...(secrets.path && secrets.text !== undefined ? compile(spec, text, secrets.path, secrets.text).diagnostics : analysis.diagnostics));
    r.stopIfFailing();
    throw new Exit(1);
  }
  const created = secrets.text === undefined;
  const secretsYaml = secrets.text ?? serializeSecrets(await (await secretsGenerator()).generateSecrets(analysis.spec.metadata.name, new Date()));
  // Lazily: each file is made and written into the staging folder in turn (emit.ts).
  const result = compileLazily(spec, text, secrets.path, secretsYaml);
  r.add(...result.diagnostics);
  r.stopIfFailing();
  if (!result.artifacts || !result.plan) throw new Error('compile returned no artifacts and no error');

  const staged = await outputStep(r, opts.out, () => stageOutput(opts.out, result.plan!.name, result.artifacts!, { force: opts.force === true, protect: [spec, secrets.path!] }));
  if (created) {
    await outputStep(r, secrets.path, () => writeNewSecretsFile(secrets.path!, secretsYaml), () => staged.discard());
    r.note(`created the secrets file ${secrets.path} (mode 0600). Keep it private and back it up: the cluster's CA lives there.`);
  }
  await outputStep(r, staged.folder, () => staged.commit());

  const rel = relative(process.cwd(), staged.folder);
  const shown = rel && !rel.startsWith('..') ? rel : staged.folder;
  const nodes = result.plan.nodes;
  r.succeed(
    [
      `picc: wrote ${staged.written.length} files for ${nodes.length} nodes to ${shown}/${staged.kept.length > 0 ? ` (${staged.kept.length} other file${staged.kept.length === 1 ? '' : 's'} there left alone)` : ''}`,
      ...nodes.map((n) => `  ${n.name.padEnd(20)} ${n.joinKind.padEnd(19)} ${n.address.padEnd(16)} ${n.os.id}`),
    ],
    {
      wrote: true,
      output: { folder: staged.folder, files: staged.written, secretsFileCreated: created ? secrets.path : null },
      nodes: nodes.map((n) => ({ name: n.name, role: n.joinKind, address: n.address, os: n.os.id })),
    },
  );
}

/** Runs one write of compile; a refusal or a path the user chose that cannot be written is their input (exit 1), not a bug. */
async function outputStep<T>(r: Reporter, path: string, step: () => Promise<T>, undo?: () => Promise<unknown>): Promise<T> {
  try {
    return await step();
  } catch (e) {
    await undo?.();
    if (e instanceof OutputRefused) {
      r.add(fileProblem(e.folder, e.code, e.message, e.hint));
    } else {
      const err = e as NodeJS.ErrnoException;
      if (!err.code || !USER_ERRNO.has(err.code)) throw e;
      r.add(fileProblem(path, 'PICC503', `cannot write ${path}: ${err.code}${err.message.includes(':') ? ` (${err.message.split(':').slice(1).join(':').trim()})` : ''}`));
    }
    r.stopIfFailing();
    throw new Exit(1);
  }
}

export async function runSecretsInit(spec: string, r: Reporter, opts: { secrets?: string }): Promise<void> {
  const text = await specText(spec, r);
  const analysis = analyze(spec, text);
  r.add(...analysis.diagnostics);
  const where = await locateSecrets(spec, opts.secrets);
  if (where.diagnostic) r.add(where.diagnostic);
  r.stopIfFailing();
  const path = where.path!;
  const existing = await readSecrets(path);
  if (!existing.missing) {
    r.add(fileProblem(path, 'PICC001', `${path} already exists; picc never overwrites a secrets file (its CA is the cluster's identity)`, 'move it away yourself if you really mean to start a new cluster'));
    r.stopIfFailing();
  }
  const yaml = serializeSecrets(await (await secretsGenerator()).generateSecrets(analysis.spec!.metadata.name, new Date()));
  await outputStep(r, path, () => writeNewSecretsFile(path, yaml));
  r.succeed([`picc: created ${path} (mode 0600). Keep it private and back it up.`], { secretsFile: path });
}

export async function runRotateToken(spec: string, r: Reporter, opts: { secrets?: string }): Promise<void> {
  const where = await locateSecrets(spec, opts.secrets);
  if (where.diagnostic) r.add(where.diagnostic);
  r.stopIfFailing();
  const path = where.path!;
  const read = await readSecrets(path);
  r.add(...read.diagnostics);
  if (read.missing) r.add(fileProblem(path, 'PICC001', `no secrets file at ${path}`, 'run `picc secrets init SPEC` first'));
  if (read.text === undefined) {
    r.stopIfFailing();
    throw new Exit(1);
  }
  r.sources.set(path, read.text);
  const parsed = parseSecrets(path, read.text);
  r.add(...parsed.diagnostics);
  r.stopIfFailing();
  const { rotateToken } = await secretsGenerator();
  await outputStep(r, path, () => replaceSecretsFile(path, serializeSecrets(rotateToken(parsed.value!))));
  r.succeed([
    `picc: new bootstrap token in ${path}. Recompile, then put the new token on the control plane:`,
    '  kubeadm token create <token from the file> --ttl 24h   (run on a control plane)',
    'and use the recompiled setup.sh or seed for the nodes that join next.',
  ], { secretsFile: path });
}
