// Stage 6 — emit: writes artifacts into the output folder atomically. The cluster's
// folder is built in full in a temporary folder beside it, then swapped in with
// renames, so a reader sees the old output or the new, never a mix.

import { mkdir, mkdtemp, rename, rm, writeFile, chmod } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Artifact } from './render/render.js';

/** Writes artifacts (paths "<cluster>/…") under outDir, replacing <outDir>/<cluster> whole. */
export async function emit(outDir: string, cluster: string, artifacts: readonly Artifact[]): Promise<string> {
  // Kernel pseudo-filesystems never hold files (and Node's recursive mkdir spins on /proc).
  if (/^\/(proc|sys|dev)(\/|$)/.test(resolve(outDir))) {
    throw Object.assign(new Error(`${outDir} is inside a kernel pseudo-filesystem`), { code: 'EPERM' });
  }
  // Checked before anything is written: a "<cluster>/../x" path would escape the folder.
  for (const a of artifacts) {
    const rest = a.path.startsWith(`${cluster}/`) ? a.path.slice(cluster.length + 1).split('/') : [];
    if (rest.length === 0 || rest.some((seg) => seg === '' || seg === '.' || seg === '..')) {
      throw new Error(`artifact outside the cluster folder: ${a.path}`);
    }
  }
  await mkdir(outDir, { recursive: true });
  const staging = await mkdtemp(join(outDir, `.${cluster}.picc-new-`));
  try {
    for (const a of artifacts) {
      const target = join(staging, a.path.slice(cluster.length + 1));
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, a.content, { mode: a.mode });
      await chmod(target, a.mode); // the umask must not loosen or tighten the contract's modes
    }
    const final = join(outDir, cluster);
    const old = `${staging}.old`;
    const hadOld = await rename(final, old).then(() => true, (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    });
    await rename(staging, final);
    if (hadOld) await rm(old, { recursive: true, force: true });
    return final;
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e;
  }
}
