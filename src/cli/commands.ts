// The CLI's commands over the library: read the files, call the pure functions, write
// the results. Nothing is written unless everything succeeded: compile builds a missing
// secrets file in memory and writes it only once the output is staged, just before the
// output is moved into place.

import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileProblem } from '../diagnostics/report.js';
import { OutputRefused, stageOutput, type StagedOutput } from '../emit.js';
import { compareOutput } from '../emit-check.js';
import { shQuote } from '../render/shell.js';
import { analyze, compile, compileAnalyzed, planAnalyzed, planCluster, validateAll, type Analysis, type CompileOptions } from '../index.js';
import { FACTS_NAME, parseFacts, runningVersion } from '../plan/facts.js';
import type { ClusterSpec } from '../cluster-spec/types.js';
import type { ClusterPlan } from '../plan/types.js';
import { parseSecrets, serializeSecrets } from '../secrets/file.js';
import { replaceSecretsFile, writeNewSecretsFile } from '../secrets/store.js';
import { locateSecrets, readSecrets, readText } from './inputs.js';
import { compileSummary } from './compile-summary.js';
import { planLines, planView } from './plan-view.js';
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

export async function runCompile(spec: string, r: Reporter, opts: { out: string; secrets?: string; force?: boolean; check?: boolean; from?: string }): Promise<void> {
  const text = await specText(spec, r);
  const secrets = await secretsText(spec, opts.secrets, r);
  const analysis = analyze(spec, text);
  if (!analysis.spec || !secrets.path) {
    // Report the secrets file's own problems too: every problem at once.
    r.add(...(secrets.path && secrets.text !== undefined ? compile(spec, text, secrets.path, secrets.text).diagnostics : analysis.diagnostics));
    r.stopIfFailing();
    throw new Exit(1);
  }
  if (opts.check) return checkOutput(spec, { ...analysis, spec: analysis.spec }, secrets, r, opts.out, opts.from);
  const created = secrets.text === undefined;
  const secretsYaml = secrets.text ?? serializeSecrets(await (await secretsGenerator()).generateSecrets(analysis.spec.metadata.name, new Date()));
  // Lazily: each file is made and written into the staging folder in turn (emit.ts).
  const result = compileAnalyzed(analysis, secrets.path, secretsYaml, await upgradeOptions(opts, analysis.spec));
  r.add(...result.diagnostics);
  r.stopIfFailing();
  if (!result.artifacts || !result.plan) throw new Error('compile returned no artifacts and no error');

  const staged = await outputStep(r, opts.out, () => stageOutput(opts.out, result.plan!.name, result.artifacts!, { force: opts.force === true, protect: [spec, secrets.path!], nodes: result.plan!.nodes.length }));
  if (created) {
    await outputStep(r, secrets.path, () => writeNewSecretsFile(secrets.path!, secretsYaml), () => staged.discard());
    r.note(`created the secrets file ${secrets.path} (mode 0600). Keep it private and back it up: the cluster's CA lives there.`);
  }
  await outputStep(r, staged.folder, () => staged.commit());

  const rel = relative(process.cwd(), staged.folder);
  const shown = rel && !rel.startsWith('..') ? rel : staged.folder;
  const nodes = result.plan.nodes;
  r.succeed(
    compileSummary({ plan: result.plan, spec, ...(opts.secrets ? { secrets: opts.secrets } : {}), folder: shown, files: staged.written.length, kept: staged.kept.length }),
    {
      wrote: true,
      output: { folder: staged.folder, files: staged.written, secretsFileCreated: created ? secrets.path : null },
      nodes: nodes.map((n) => ({ name: n.name, role: n.joinKind, address: n.address, os: n.os.id, delivery: n.boot.delivery })),
    },
  );
}

/**
 * `picc plan`: what compile would do, per node, without writing anything. With no secrets
 * file yet the plan is made with throw-away secrets (never written), and the CA is shown
 * as not created.
 */
export async function runPlan(spec: string, r: Reporter, opts: { secrets?: string; out: string; from?: string }): Promise<void> {
  const { plan, haveSecrets } = await planOfFiles(spec, r, opts, (s) => upgradeOptions(opts, s));
  const folder = join(opts.out, plan.name);
  const facts = parseFacts(await readFile(join(folder, FACTS_NAME), 'utf8').catch(() => ''));
  const view = planView(plan, haveSecrets, facts ? { folder, facts } : undefined);
  r.succeed(planLines(view, spec), { plan: view });
}

/**
 * The plan of the spec (and its secrets file) for the commands that only read it: plan,
 * mirror, verify. With no secrets file yet, throw-away secrets stand in (never written);
 * any problem stops the command with every diagnostic.
 */
export async function planOfFiles(spec: string, r: Reporter, opts: { secrets?: string }, options?: (s: ClusterSpec) => Promise<CompileOptions>): Promise<{ plan: ClusterPlan; haveSecrets: boolean }> {
  const text = await specText(spec, r);
  const secrets = await secretsText(spec, opts.secrets, r);
  const analysis = analyze(spec, text);
  if (!analysis.spec || !secrets.path) {
    r.add(...(secrets.path && secrets.text !== undefined ? planCluster(spec, text, secrets.path, secrets.text).diagnostics : analysis.diagnostics));
    r.stopIfFailing();
    throw new Exit(1);
  }
  const secretsYaml = secrets.text ?? serializeSecrets(await (await secretsGenerator()).generateSecrets(analysis.spec.metadata.name, new Date()));
  const result = planAnalyzed(analysis, secrets.path, secretsYaml, options ? await options(analysis.spec) : {});
  r.add(...result.diagnostics);
  r.stopIfFailing();
  if (!result.plan) throw new Error('planCluster returned no plan and no error');
  return { plan: result.plan, haveSecrets: secrets.text !== undefined };
}

/**
 * compile --check: exit 0 when <out>/<cluster>/ is what the spec compiles to now, else one
 * PICC504 per differing file (exit 1). Reads only: a missing secrets file is not created.
 */
async function checkOutput(spec: string, analysis: Analysis & { spec: ClusterSpec }, secrets: { path?: string; text?: string }, r: Reporter, out: string, from?: string): Promise<void> {
  if (secrets.text === undefined) {
    r.add(fileProblem(secrets.path!, 'PICC505', `there is no secrets file ${secrets.path}, so the output cannot be compared (it holds the cluster's CA and join token)`, 'give it with --secrets, or compile once without --check to create it'));
    r.stopIfFailing();
  }
  const result = compileAnalyzed(analysis, secrets.path!, secrets.text!, await upgradeOptions({ out, ...(from ? { from } : {}) }, analysis.spec));
  r.add(...result.diagnostics);
  r.stopIfFailing();
  const artifacts = [...result.artifacts!];
  const { folder, differences } = await compareOutput(out, result.plan!.name, artifacts);
  const words = { missing: 'missing', content: 'its content differs', mode: 'its mode differs', 'not a file': 'not a file', stale: 'written by an earlier compile; compile would delete it' };
  for (const d of differences) {
    r.add(fileProblem(join(folder, d.path), 'PICC504', `${join(folder, d.path)} is not what ${spec} compiles to: ${words[d.why]}`, `run ${['picc', 'compile', spec, '-o', out].map(shQuote).join(' ')} to bring the output up to date`));
  }
  r.succeed([`picc: ${folder}/ is up to date with ${spec} (${artifacts.length + 1} files)`], { upToDate: true, folder });
}

/**
 * What the cluster runs now, for an upgrade: --from, else the output folder's previous
 * compile (picc-facts.json). Nothing known, or the same version: no upgrade.
 */
async function upgradeOptions(opts: { out: string; from?: string }, spec: ClusterSpec): Promise<CompileOptions> {
  if (opts.from !== undefined) return { upgradeFrom: { version: opts.from, source: '--from' } };
  const file = join(opts.out, spec.metadata.name, FACTS_NAME);
  const version = runningVersion(parseFacts(await readFile(file, 'utf8').catch(() => '')), spec.spec.kubernetes.version);
  return version !== null ? { upgradeFrom: { version, source: `the cluster's version in ${file}` } } : {};
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
