// Build time only (scripts/build.mjs runs it; the CLI never imports it): the source of the
// two modules the CLI bundle uses in place of compiling at run time —
//   - the spec schema as ajv standalone code (same schema, options and formats as
//     src/cluster-spec/schema-validator.ts), exporting specValidator();
//   - every file under templates/ compiled by nunjucks with the environment's options
//     (src/render/env.ts), exporting templateLoader() over them.
// Each is a drop-in for the module it replaces: same exports, same behaviour.

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { _ } from 'ajv';
import standalone from 'ajv/dist/standalone/index.js';
import nunjucks from 'nunjucks';
import { templateEnvironment } from '../render/env.js';
import { SPEC_SCHEMA, specAjv } from '../cluster-spec/schema-validator.js';

/** ajv standalone code needs the formats as an expression: the module that exports them, imported by absolute path. */
export function validatorModule(formatsModule: string): string {
  const ajv = specAjv({ code: { source: true, esm: true, formats: _`__piccFormats` } });
  const validate = ajv.compile(SPEC_SCHEMA);
  const code = standalone.default(ajv, validate);
  return [
    '// Generated at build time by src/prebuilt/generate.ts: the spec schema as ajv standalone code.',
    `import { AJV_FORMATS as __piccFormats } from ${JSON.stringify(formatsModule)};`,
    code,
    'export function specValidator() { return validate; }',
    '',
  ].join('\n');
}

interface NunjucksCompiler {
  compile(src: string, asyncFilters: unknown, extensions: unknown, name: string, opts: unknown): string;
}
interface EnvironmentInternals {
  asyncFilters: unknown;
  extensionsList: unknown;
  opts: unknown;
}

/** Every template under templatesDir compiled once, keyed by its name relative to it (as the loader names them). */
export function templatesModule(templatesDir: string): string {
  const env = templateEnvironment(new nunjucks.FileSystemLoader(templatesDir)) as unknown as EnvironmentInternals;
  const compiler = (nunjucks as unknown as { compiler: NunjucksCompiler }).compiler;
  const entries = templateFiles(templatesDir).map((file) => {
    const name = relative(templatesDir, file).split(sep).join('/');
    const code = compiler.compile(readFileSync(file, 'utf8'), env.asyncFilters, env.extensionsList, name, env.opts);
    return `  ${JSON.stringify(name)}: (function () {\n${code}\n})(),`;
  });
  return [
    '// Generated at build time by src/prebuilt/generate.ts: templates/ precompiled by nunjucks.',
    "import nunjucks from 'nunjucks';",
    'const PRECOMPILED = {',
    ...entries,
    '};',
    'export function templateLoader() { return new nunjucks.PrecompiledLoader(PRECOMPILED); }',
    '',
  ].join('\n');
}

/** Files under dir, in code-unit order of their paths (the output must not depend on readdir's order). */
function templateFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...templateFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
