// `npm run build`: the CLI bundled, dist/cli.js (what `bin` points at) and dist/chunks/, made by
// esbuild. Bundled because loading ~150 small modules was a third of a compile's time. Two modules
// are swapped for build-time output (src/prebuilt/generate.ts makes it):
//   src/cluster-spec/schema-validator.ts → the schema as ajv standalone code
//   src/render/template-loader.ts → templates/ precompiled by nunjucks
// so a run compiles neither. The runtime libraries are bundled in (so the package installs
// none: package.json lists them with the build's tools), with their licenses beside them in
// dist/THIRD-PARTY-NOTICES.txt; templates, schema and data are inside the bundle too (JSON
// through import attributes).

import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { thirdPartyNotices } from './notices.mjs';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(REPO, 'dist');
// Through require: honours NODE_PATH, as import() does not.
const esbuild = createRequire(import.meta.url)('esbuild');

const MINIFY = process.env.PICC_BUILD_MINIFY !== '0';

const REPLACED = {
  [join(REPO, 'src', 'cluster-spec', 'schema-validator.ts')]: 'validator',
  [join(REPO, 'src', 'render', 'template-loader.ts')]: 'templates',
};

/** The generator itself, bundled to a temporary module (it is TypeScript), then run. */
async function generated() {
  const entry = join(DIST, '.prebuilt-generate.mjs');
  await esbuild.build({
    entryPoints: [join(REPO, 'src', 'prebuilt', 'generate.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: entry,
    logLevel: 'warning',
  });
  try {
    const gen = await import(pathToFileURL(entry).href);
    return {
      validator: gen.validatorModule(join(REPO, 'src', 'cluster-spec', 'ajv-formats.ts')),
      templates: gen.templatesModule(join(REPO, 'templates')),
    };
  } finally {
    rmSync(entry, { force: true });
  }
}

/** Swaps the two run-time compiling modules for their build-time output; refuses createRequire. */
function prebuiltPlugin(sources) {
  return {
    name: 'picc-prebuilt',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, async (args) => {
        const kind = REPLACED[args.path];
        if (kind) return { contents: sources[kind], loader: 'js', resolveDir: dirname(args.path) };
        const { readFile } = await import('node:fs/promises');
        const text = await readFile(args.path, 'utf8');
        // A file found through createRequire(import.meta.url) is looked up beside the
        // bundle at run time, where it is not: import JSON with { type: 'json' } instead.
        if (/\bcreateRequire\s*\(/.test(text)) {
          return { errors: [{ text: `${args.path} uses createRequire: the bundle cannot carry what it loads; import JSON with { type: 'json' }` }] };
        }
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
const sources = await generated();
const { metafile } = await esbuild.build({
  absWorkingDir: REPO,
  metafile: true,
  entryPoints: { cli: join(REPO, 'src', 'cli.ts') },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outdir: DIST,
  // What is imported with import() (making secrets) goes to its own file, loaded when used.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  minify: MINIFY,
  // Bundled CommonJS dependencies call require() for Node's own modules.
  banner: { js: "import { createRequire as __piccCreateRequire } from 'node:module';\nconst require = __piccCreateRequire(import.meta.url);" },
  legalComments: 'eof',
  plugins: [prebuiltPlugin(sources)],
  logLevel: 'warning',
});
chmodSync(join(DIST, 'cli.js'), 0o755);
// The bundled libraries' licenses travel with their code (scripts/notices.mjs).
writeFileSync(join(DIST, 'THIRD-PARTY-NOTICES.txt'), thirdPartyNotices(metafile, REPO));
