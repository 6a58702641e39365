// The nunjucks environment for scripts: strict (an undefined plan field is an error),
// no HTML escaping (the output is shell), templates from templates/ only (template-loader.ts,
// precompiled in the CLI bundle with these same options).

import nunjucks from 'nunjucks';
import { heredocBody, shQuote, shWords } from './shell.js';
import { templateLoader } from './template-loader.js';

/** The options templates are compiled and rendered with; the build's precompiler uses them too. */
export const TEMPLATE_OPTIONS: nunjucks.ConfigureOptions = {
  autoescape: false,
  throwOnUndefined: true,
  trimBlocks: true,
  lstripBlocks: true,
  // bash's ${#array[@]} would open a nunjucks comment; picc's templates use <%# … #%>.
  tags: { commentStart: '<%#', commentEnd: '#%>' },
};

/** An environment with picc's options and filters over `loader`. */
export function templateEnvironment(loader: nunjucks.ILoader): nunjucks.Environment {
  const env = new nunjucks.Environment(loader, TEMPLATE_OPTIONS);
  env.addFilter('sh', shQuote);
  env.addFilter('shwords', shWords);
  env.addFilter('heredoc', heredocBody);
  return env;
}

let env: nunjucks.Environment | undefined;

export function templates(): nunjucks.Environment {
  env ??= templateEnvironment(templateLoader());
  return env;
}
