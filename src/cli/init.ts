// `picc init`: writes the starter spec (src/cli/starter.ts) to a new file, never over an
// existing one (exclusive create). The modeline points at the JSON Schema shipped with this
// copy of picc, relative to the spec when it lies below the spec's folder (a project's
// node_modules), else as a file:// URL; --schema gives any other reference (a URL).

import { open } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileProblem } from '../diagnostics/report.js';
import { SCHEMA_FILE } from '../cluster-spec/schema-file.js';
import type { OsId } from '../cluster-spec/types.js';
import { Exit, type Reporter } from './reporter.js';
import { STARTER_MAX_NODES, STARTER_OS_IDS, starterSpec } from './starter.js';

export interface InitOptions {
  nodes: string;
  os: string;
  schema?: string;
}

export async function runInit(file: string, r: Reporter, opts: InitOptions): Promise<void> {
  const nodes = Number(opts.nodes);
  if (!/^[0-9]+$/.test(opts.nodes) || nodes < 1 || nodes > STARTER_MAX_NODES) {
    r.add(fileProblem(file, 'PICC010', `--nodes ${opts.nodes}: give a whole number from 1 to ${STARTER_MAX_NODES}`, 'e.g. picc init --nodes 3 (one control plane, two workers)'));
  }
  if (!(STARTER_OS_IDS as string[]).includes(opts.os)) {
    r.add(fileProblem(file, 'PICC010', `--os ${opts.os}: not an OS picc knows`, `use one of ${STARTER_OS_IDS.join(', ')}`));
  }
  if (opts.schema !== undefined && (opts.schema === '' || /\s/.test(opts.schema))) {
    r.add(fileProblem(file, 'PICC010', `--schema: give a URL or path without spaces`, 'e.g. --schema ./cluster.schema.json'));
  }
  r.stopIfFailing();
  const name = basename(file);
  const text = starterSpec({ nodes, os: opts.os as OsId, schemaRef: opts.schema ?? schemaRef(file), file: /^[A-Za-z0-9._-]+$/.test(name) ? name : 'cluster.yaml' });
  try {
    const handle = await open(file, 'wx', 0o644);
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') r.add(fileProblem(file, 'PICC012', `${file} exists; picc init never overwrites a file`));
    else if (code) r.add(fileProblem(file, 'PICC503', `cannot write ${file}: ${code}`, 'choose another file name or folder'));
    else throw e;
    r.stopIfFailing();
    throw new Exit(1);
  }
  r.succeed(
    [`picc: wrote ${file}: ${nodes === 1 ? 'one control plane' : `one control plane and ${nodes - 1} worker${nodes === 2 ? '' : 's'}`} on ${opts.os}`, `Next: edit the addresses, the user and the SSH key, then: picc plan ${file}`],
    { wrote: true, file, nodes, os: opts.os },
  );
}

/** The shipped schema as the spec's editor finds it: relative below the spec's folder, else a file:// URL. */
export function schemaRef(specFile: string): string {
  const rel = relative(dirname(resolve(specFile)), SCHEMA_FILE);
  if (!rel.startsWith('..') && !isAbsolute(rel)) return `./${rel.split(sep).map(encodeURIComponent).join('/')}`;
  return pathToFileURL(SCHEMA_FILE).href;
}
