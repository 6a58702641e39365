// The nunjucks environment for scripts: strict (an undefined plan field is an error),
// no HTML escaping (the output is shell), loader rooted at templates/ only.

import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import { heredocBody, shQuote, shWords } from './shell.js';

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url));

let env: nunjucks.Environment | undefined;

export function templates(): nunjucks.Environment {
  if (!env) {
    env = new nunjucks.Environment(new nunjucks.FileSystemLoader(TEMPLATES_DIR, { noCache: false }), {
      autoescape: false,
      throwOnUndefined: true,
      trimBlocks: true,
      lstripBlocks: true,
      // bash's ${#array[@]} would open a nunjucks comment; picc's templates use <%# … #%>.
      tags: { commentStart: '<%#', commentEnd: '#%>' },
    });
    env.addFilter('sh', shQuote);
    env.addFilter('shwords', shWords);
    env.addFilter('heredoc', heredocBody);
  }
  return env;
}
