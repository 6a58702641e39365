// `picc mirror <spec> [-o DIR]`: writes the offline-mirror kit for the spec's cluster into DIR
// (fetches.tsv, download.sh, images.txt, README.txt) and prints the fetch list. picc itself
// never touches the network: download.sh, run on a connected machine, does. The kit does
// not depend on the secrets, so without a secrets file the plan is made with throw-away
// ones (never written). Only picc mirror's own files are ever written over.

import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileProblem } from '../diagnostics/report.js';
import { checkCell, isMirrorFile, mirrorFiles, MIRROR_FILES } from '../mirror/mirror-files.js';
import { mirrorPlan, type MirrorPlan } from '../mirror/mirror-plan.js';
import { shQuote } from '../render/shell.js';
import { planOfFiles } from './commands.js';
import { Exit, type Reporter } from './reporter.js';
import type { Artifact } from '../render/render.js';

const USER_ERRNO = new Set(['EACCES', 'EEXIST', 'ENOTDIR', 'EISDIR', 'EROFS', 'EPERM', 'ENOSPC', 'EDQUOT', 'ENAMETOOLONG', 'ELOOP', 'EXDEV']);

export async function runMirror(spec: string, r: Reporter, opts: { out: string; secrets?: string }): Promise<void> {
  const { plan } = await planOfFiles(spec, r, opts);
  const m = mirrorPlan(plan);
  const files = mirrorFiles(m);
  await writeKit(opts.out, files, r);
  if (m.mirror === null) r.note(`${spec} has no spec.mirror, so its nodes fetch upstream: serve ${opts.out} over HTTP, set spec.mirror to its URL and compile again`);
  r.succeed(mirrorLines(m, opts.out), {
    wrote: true,
    folder: opts.out,
    files: files.map((f) => join(opts.out, f.path)),
    mirror: m.mirror,
    fetches: [
      ...m.files.map((f) => ({ ...fetchData(f.fetch), path: f.path, mirroredBy: MIRROR_FILES.script })),
      ...m.apt.map((a) => ({ ...fetchData(a.fetch), path: a.path, mirroredBy: 'apt mirroring tool' })),
    ],
    images: m.images,
  });
}

function fetchData(f: MirrorPlan['files'][number]['fetch']) {
  return { url: f.url, upstream: f.upstream, check: checkCell(f), name: f.name, version: f.version, nodes: f.nodes };
}

/** The human summary: the list itself, then what to do next. */
export function mirrorLines(m: MirrorPlan, folder: string): string[] {
  const shown = shQuote(folder);
  const lines = [
    `picc: wrote the offline mirror kit for cluster ${m.cluster} to ${folder}/ (${Object.values(MIRROR_FILES).join(', ')})`,
    `  ${m.files.length} files for ${MIRROR_FILES.script}, checked by sha256:`,
    ...m.files.map((f) => `    ${f.fetch.upstream}  sha256:${f.sha256}`),
  ];
  if (m.apt.length > 0) {
    lines.push(`  ${m.apt.length} apt entries ${MIRROR_FILES.script} cannot fetch (an apt mirroring tool such as aptly or apt-mirror can; or install: binaries):`, ...m.apt.map((a) => `    ${a.fetch.upstream}  ${checkCell(a.fetch)}`));
  }
  lines.push(`  ${m.images.known.length} container images in ${MIRROR_FILES.images}:`, ...m.images.known.map((i) => `    ${i.image}`));
  for (const u of m.images.unknown) lines.push(`  not listed, picc cannot know them exactly: ${u.what} (${u.why})`);
  lines.push(
    '',
    `Next: on a machine with internet access run ${shown}/${MIRROR_FILES.script}, then serve ${shown} over HTTP${m.mirror ? ` at ${m.mirror}` : ''};`,
    `${shown}/${MIRROR_FILES.readme} says how to load the images${m.apt.length > 0 ? ' and what the apt repository needs' : ''}.`,
  );
  return lines;
}

/** Writes each file whole (temporary file, then rename); refuses to write over a file that is not picc mirror's. */
async function writeKit(folder: string, files: readonly Artifact[], r: Reporter): Promise<void> {
  try {
    await mkdir(folder, { recursive: true });
    for (const f of files) {
      const target = join(folder, f.path);
      const existing = await readFile(target, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
      if (existing !== undefined && existing !== f.content && !isMirrorFile(existing)) {
        r.add(fileProblem(target, 'PICC501', `${target} exists and was not written by picc mirror; it is left alone`, 'move it away, or choose another folder with -o'));
      }
    }
    r.stopIfFailing();
    for (const f of files) {
      const target = join(folder, f.path);
      const part = `${target}.picc-part`;
      await writeFile(part, f.content, { mode: f.mode });
      await chmod(part, f.mode);
      await rename(part, target);
    }
  } catch (e) {
    if (e instanceof Exit) throw e;
    const err = e as NodeJS.ErrnoException;
    if (!err.code || !USER_ERRNO.has(err.code)) throw e;
    r.add(fileProblem(folder, 'PICC503', `cannot write the mirror kit into ${folder}: ${err.code}`));
    r.stopIfFailing();
    throw new Exit(1);
  }
}
