// Stage 2 — validate: the loaded document against schema/cluster.schema.json.
// Every schema error becomes one diagnostic at the offending YAML node; all are
// reported at once (ajv allErrors).

import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import type { Diagnostic, DocPath, StageResult } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { report } from '../diagnostics/report.js';
import { FORMATS } from './formats.js';
import { closest } from './suggest.js';
import type { ClusterSpec } from './types.js';

const require = createRequire(import.meta.url);
const schema = require('../../schema/cluster.schema.json') as object;

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, useDefaults: false });
    for (const [name, fmt] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: fmt.test });
    compiled = ajv.compile(schema);
  }
  return compiled!;
}

export function validate(source: SourceDoc): StageResult<ClusterSpec> {
  const data: unknown = source.doc.toJS({ maxAliasCount: 100 });
  const check = validator();
  if (check(data)) return { value: data as ClusterSpec, diagnostics: [] };
  const errors = pickOneOfBranches(check.errors ?? [], data);
  const diagnostics = errors.map((e) => toDiagnostic(source, e));
  return { diagnostics: dedupe(diagnostics) };
}

function toDiagnostic(source: SourceDoc, e: ErrorObject): Diagnostic {
  const path = pointerToPath(e.instancePath);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(key, allowed);
      return report(source, 'PICC101', [...path, key], `unknown key "${key}"`, {
        atKey: true,
        hint: guess ? `did you mean "${guess}"? (allowed here: ${allowed.join(', ')})` : `allowed here: ${allowed.join(', ')}`,
      });
    }
    case 'required': {
      const key = String(params['missingProperty']);
      return report(source, 'PICC102', path, `missing required key "${key}"`, { hint: `add "${key}:" here` });
    }
    case 'type':
      return report(source, 'PICC103', path, `expected ${article(String(params['type']))}, found ${describe(e.data)}`, {
        hint: typeof e.data === 'number' && params['type'] === 'string' ? 'quote the value, e.g. "1.34.2"' : undefined,
      });
    case 'enum':
    case 'const': {
      const allowed = (e.keyword === 'enum' ? (params['allowedValues'] as unknown[]) : [params['allowedValue']]).map(String);
      const guess = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      return report(source, 'PICC104', path, `${JSON.stringify(e.data)} is not allowed here; expected ${oneOf(allowed)}`, {
        hint: guess ? `did you mean "${guess}"?` : `use ${oneOf(allowed)}`,
      });
    }
    case 'format': {
      const fmt = FORMATS[String(params['format'])];
      return report(source, 'PICC105', path, `${JSON.stringify(e.data)} is not ${fmt?.description ?? String(params['format'])}`, {
        hint: fmt ? `for example ${fmt.example}` : undefined,
      });
    }
    case 'oneOf':
      return report(source, 'PICC103', path, `expected a version like 2.3.4, or {version, sha256: {arm64, amd64}}; found ${describe(e.data)}`);
    default:
      return report(source, 'PICC106', path, e.message ?? 'invalid value');
  }
}

/**
 * A component may be a version string or an object. ajv reports the failures of both
 * branches; keep only the branch that matches the value's type so the user sees the
 * relevant mistake, and the bare "must match one schema" only when neither applies.
 */
function pickOneOfBranches(errors: ErrorObject[], data: unknown): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => {
    const owner = [...oneOfPaths].find((p) => e.instancePath === p || e.instancePath.startsWith(p + '/'));
    if (owner === undefined) return true;
    const value = valueAt(data, pointerToPath(owner));
    const branch = typeof value === 'string' ? '/oneOf/0/' : value !== null && typeof value === 'object' ? '/oneOf/1/' : undefined;
    if (e.keyword === 'oneOf') return branch === undefined;
    return branch !== undefined && e.schemaPath.includes(branch) && !(typeof value === 'object' && e.keyword === 'type' && e.instancePath === owner);
  });
}

function valueAt(data: unknown, path: DocPath): unknown {
  let cur = data;
  for (const seg of path) cur = (cur as Record<string | number, unknown> | undefined)?.[seg];
  return cur;
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function dedupe(diags: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diags.filter((d) => {
    const k = `${d.code}|${d.line}|${d.col}|${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function article(type: string): string {
  return type === 'array' || type === 'object' || type === 'integer' ? `an ${type === 'object' ? 'mapping' : type}` : `a ${type}`;
}

function describe(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function oneOf(values: string[]): string {
  const q = values.map((v) => `"${v}"`);
  return q.length === 1 ? q[0]! : `one of ${q.join(', ')}`;
}
