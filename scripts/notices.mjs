// The licenses of the libraries inside the bundle, for dist/THIRD-PARTY-NOTICES.txt. The
// bundle carries copies of their code (yaml, ajv, nunjucks, commander, @peculiar/x509 and
// what those use), and their licenses ask that a copy keep its copyright and license notice;
// esbuild keeps only the few notices written as legal comments. Which packages: the ones
// esbuild's metafile says it read, so the list is what the bundle holds, not what
// package.json names.

import { readFileSync, readdirSync } from 'node:fs';
import { join, sep } from 'node:path';

/** The folder of the package a bundled file came from (node_modules/<name> or node_modules/@scope/<name>). */
function packageRoot(file) {
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0) return undefined;
  const width = parts[at + 1]?.startsWith('@') ? 3 : 2;
  return parts.slice(0, at + width).join(sep);
}

/** The package's license file (LICENSE, LICENCE or COPYING), then any notice file (NOTICE, CopyrightNotice). */
function noticeFiles(root) {
  const names = readdirSync(root).sort();
  const license = names.find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
  const notices = names.filter((name) => /^(notice|copyrightnotice)(\.(md|txt))?$/i.test(name));
  return license === undefined ? [] : [license, ...notices].map((name) => join(root, name));
}

/**
 * The notices text for the packages of `metafile`'s inputs (paths relative to `repo`).
 * Throws when a bundled package has no license file: nothing ships without its notice.
 */
export function thirdPartyNotices(metafile, repo) {
  const roots = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const root = packageRoot(input);
    if (root !== undefined) roots.add(root);
  }
  const packages = [...roots].map((root) => {
    const dir = join(repo, root);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const files = noticeFiles(dir);
    if (files.length === 0) throw new Error(`${manifest.name} is in the bundle but has no license file in ${dir}`);
    const text = files.map((f) => readFileSync(f, 'utf8').trim()).join('\n\n');
    return { name: manifest.name, version: manifest.version, license: manifest.license ?? 'see below', text };
  });
  const order = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  packages.sort((a, b) => order(a.name, b.name) || order(a.version, b.version));
  const rule = '-'.repeat(78);
  return [
    'picc bundles the code of the libraries below into dist/. Their copyright and license',
    'notices follow, as each license asks; picc itself is under the Apache License 2.0.',
    '',
    ...packages.flatMap((p) => [rule, `${p.name} ${p.version} (${p.license})`, rule, '', p.text, '']),
  ].join('\n');
}
