// The file system's share of a big compile, for `npm run bench`: writes files of the sizes
// and modes listed (the 1000-node output's), one after another on one thread as picc's
// writer thread does (folder once, open, write, chmod, close), and nothing else. A compile
// cannot take less than this on the same disk; what it takes beyond it is picc's own.
//
//   node bench/write-floor.mjs LIST.json OUT-FOLDER      # LIST: [[relative path, bytes, mode], …]

import { closeSync, fchmodSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

const [listFile, out] = process.argv.slice(2);
const list = JSON.parse(readFileSync(listFile, 'utf8'));
const largest = Math.max(...list.map(([, size]) => size));
const bytes = Buffer.alloc(largest, 'x');
const made = new Set();
for (const [path, size, mode] of list) {
  const target = join(out, path);
  const dir = dirname(target);
  if (!made.has(dir)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    made.add(dir);
  }
  const fd = openSync(target, 'wx', mode);
  for (let at = 0; at < size; ) at += writeSync(fd, bytes, at, size - at);
  fchmodSync(fd, mode);
  closeSync(fd);
}
