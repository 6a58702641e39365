// The I/O of `picc boot`: reading what a mounted boot partition holds, and writing one
// node's seed onto it. Every file is written beside its target and renamed into place
// (FAT supports rename), so a pulled card holds the old file or the new, never half of one.

import { mkdir, readFile, readdir, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { PartitionFacts } from './identify.js';
import type { CardWrites } from './seed.js';

/** Boot partition files are small; anything bigger is not what picc looks for. */
const MAX_READ = 64 * 1024;

export type PartitionRead = { facts: PartitionFacts } | { problem: string };

export async function readPartition(mount: string): Promise<PartitionRead> {
  const info = await stat(mount).catch(() => undefined);
  if (!info?.isDirectory()) return { problem: `${mount} is not a folder (mount the card's boot partition and give its mount point)` };
  const names = new Set(await readdir(mount));
  if (!names.has('config.txt') && !names.has('cmdline.txt')) {
    return { problem: `${mount} has neither config.txt nor cmdline.txt: it is not a Raspberry Pi boot partition` };
  }
  const text = async (name: string): Promise<string | undefined> => {
    if (!names.has(name)) return undefined;
    const buf = await readFile(join(mount, name)).catch(() => undefined);
    return buf && buf.length <= MAX_READ ? buf.toString('utf8') : undefined;
  };
  return { facts: { cmdline: await text('cmdline.txt'), config: await text('config.txt'), issue: await text('issue.txt'), files: names } };
}

export async function writeCard(mount: string, writes: CardWrites): Promise<void> {
  const all = [...writes.files.map((f) => ({ path: f.path, content: f.content })), ...(writes.cmdline !== undefined ? [{ path: 'cmdline.txt', content: writes.cmdline }] : [])];
  for (const f of all) {
    const target = join(mount, f.path);
    const temp = `${target}.picc-new`;
    await mkdir(dirname(target), { recursive: true });
    try {
      await writeFile(temp, f.content);
      await rename(temp, target);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
  }
}
