// Where the script templates come from: templates/, read and compiled on first use. The
// CLI bundle (scripts/build.mjs) replaces this module with one holding every template
// precompiled at build time (src/prebuilt/generate.ts), so the CLI compiles none per run.

import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

export function templateLoader(): nunjucks.ILoader {
  return new nunjucks.FileSystemLoader(TEMPLATES_DIR, { noCache: false });
}
