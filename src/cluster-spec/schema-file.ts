// Where this copy of picc keeps its JSON Schema (schema/cluster.schema.json, shipped in the
// package), for editors: picc init's modeline points at it. Found by walking up from this
// module, so it holds from the sources, from tsc's dist/ and from the bundled CLI alike.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findSchema(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schema', 'cluster.schema.json');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('schema/cluster.schema.json is missing from the picc package');
    dir = up;
  }
}

export const SCHEMA_FILE = findSchema();
