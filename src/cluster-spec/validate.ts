// Stage 2 — validate: the loaded document against schema/cluster.schema.json.
// Every schema error becomes one diagnostic at the offending YAML node; all are
// reported at once (ajv allErrors).

import type { ErrorObject } from 'ajv';
import { isScalar } from 'yaml';
import { formatPath, type Diagnostic, type DocPath, type StageResult } from '../diagnostics/diagnostic.js';
import type { SourceDoc } from '../diagnostics/locate.js';
import { report } from '../diagnostics/report.js';
import { shown } from '../text/alphabet.js';
import { FORMATS } from './formats.js';
import { specValidator } from './schema-validator.js';
import { closest } from './suggest.js';
import type { ClusterSpec } from './types.js';

/**
 * The document as plain data. load refuses aliases, so nothing here expands; the alias
 * count of 0 keeps it that way should a document reach here some other way.
 */
export function specData(source: SourceDoc): unknown {
  return source.doc.toJS({ maxAliasCount: 0 });
}

export function validate(source: SourceDoc): StageResult<ClusterSpec> {
  const data = specData(source);
  const check = specValidator();
  if (check(data)) return { value: data as ClusterSpec, diagnostics: [] };
  // propertyNames also reports its inner error (format of the key), which says more.
  const errors = pickOneOfBranches(check.errors ?? [], data).filter((e) => e.keyword !== 'propertyNames');
  const diagnostics = oneMistakeOnce(dedupe(errors.map((e) => toDiagnostic(source, e))));
  // Never let an invalid spec pass silently if a filter above dropped every error.
  if (diagnostics.length === 0) diagnostics.push(report(source, 'PICC106', [], 'the spec does not match the schema'));
  return { diagnostics };
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
    case 'type': {
      // YAML turns an unquoted 1.30 into the number 1.3: show what the user wrote, and say
      // what to write instead (quoting alone does not help when the text is no valid value).
      const written = typeof e.data === 'number' ? writtenText(source, path) : undefined;
      const found = written !== undefined ? `number ${written}` : describe(e.data);
      const fmt = FORMATS[String((e.parentSchema as { format?: unknown } | undefined)?.format)];
      const expected = fmt && params['type'] === 'string' ? fmt.description : article(String(params['type']));
      let hint: string | undefined;
      if (written !== undefined && params['type'] === 'string') {
        hint = fmt && !fmt.test(written) ? `write ${fmt.description}, e.g. ${fmt.example}` : `quote it so YAML reads it as text: "${written}"`;
      } else if (params['type'] === 'array' && (typeof e.data === 'string' || typeof e.data === 'number')) {
        hint = `write a list, even of one entry: [${writtenText(source, path) ?? String(e.data)}]`;
      }
      return report(source, 'PICC103', path, `expected ${expected}, found ${found}`, { hint });
    }
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
      // A malformed map key (propertyNames): point at the key, not the whole map.
      const at = e.propertyName !== undefined ? [...path, e.propertyName] : path;
      // Free text shown escaped: the value may hold the very characters that are the problem.
      const text = typeof e.data === 'string' ? shown(e.data) : JSON.stringify(e.data);
      const why = typeof e.data === 'string' ? fmt?.problem?.(e.data) : undefined;
      const message = why !== undefined ? `${text} ${why}` : `${text} is not ${fmt?.description ?? String(params['format'])}`;
      return report(source, 'PICC105', at, message, {
        atKey: e.propertyName !== undefined,
        hint: fmt ? `for example ${fmt.example}` : undefined,
      });
    }
    case 'oneOf': {
      const written = typeof e.data === 'number' ? writtenText(source, path) : undefined;
      return report(source, 'PICC103', path, `expected a version like 2.3.4, or {version, sha256: {arm64, amd64}}; found ${written !== undefined ? `number ${written}` : describe(e.data)}`, {
        hint: 'write the full version x.y.z, or a mapping with version: and sha256:',
      });
    }
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength': {
      const limit = Number(params['limit']);
      const list = e.keyword.endsWith('Items');
      const count = list ? (Array.isArray(e.data) ? e.data.length : 0) : typeof e.data === 'string' ? e.data.length : 0;
      const noun = (n: number) => (list ? (n === 1 ? 'entry' : 'entries') : n === 1 ? 'character' : 'characters');
      const what = list ? 'the list' : 'the text';
      if (e.keyword.startsWith('min')) {
        return report(source, 'PICC106', path, `${what} has ${count} ${noun(count)}; it needs at least ${limit}`, {
          hint: list ? `add ${limit === 1 ? 'an entry' : `${limit} entries`}` : 'write a value',
        });
      }
      return report(source, 'PICC106', path, `${what} has ${count} ${noun(count)}; at most ${limit} are allowed`, {
        hint: list ? `keep ${limit} and remove the rest` : `shorten it to ${limit} ${noun(limit)}`,
      });
    }
    default:
      return report(source, 'PICC106', path, e.message ?? 'invalid value');
  }
}

/**
 * A component may be a version string or an object. ajv reports the failures of both
 * branches; keep only the branch that matches the value's type so the user sees the
 * relevant mistake, and the bare "must match one schema" only when neither applies.
 * The branch is told by the value's type, not by schemaPath: errors from a $ref'd
 * definition carry that definition's path (#/definitions/version/format), not /oneOf/N/.
 * For a string or a mapping, the other branch fails only by its `type` at the value itself.
 */
function pickOneOfBranches(errors: ErrorObject[], data: unknown): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  return errors.filter((e) => {
    const owner = [...oneOfPaths].find((p) => e.instancePath === p || e.instancePath.startsWith(p + '/'));
    if (owner === undefined) return true;
    const value = valueAt(data, pointerToPath(owner));
    const branchApplies = typeof value === 'string' || (value !== null && typeof value === 'object' && !Array.isArray(value));
    if (!branchApplies) return e.keyword === 'oneOf';
    return !(e.instancePath === owner && (e.keyword === 'oneOf' || e.keyword === 'type'));
  });
}

/** The scalar at `path` as written in the file (1.30, not 1.3), if it is one. */
function writtenText(source: SourceDoc, path: DocPath): string | undefined {
  const node = source.doc.getIn(path, true);
  return isScalar(node) && typeof node.source === 'string' && node.source !== '' ? node.source : undefined;
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

/**
 * A misspelt required key is one mistake that the schema reports twice: "unknown key specs"
 * and "missing required key spec". Keep the unknown key (it points at the typo and its
 * hint names the right spelling), and say there that the required key is missing.
 */
function oneMistakeOnce(diags: Diagnostic[]): Diagnostic[] {
  const misspelt = new Set<Diagnostic>();
  for (const unknown of diags.filter((d) => d.code === 'PICC101')) {
    const parent = formatPath(unknown.path.slice(0, -1));
    const missing = diags.find((d) => d.code === 'PICC102' && formatPath(d.path) === parent && unknown.hint?.startsWith(`did you mean "${missingKey(d)}"?`));
    if (!missing) continue;
    misspelt.add(missing);
    unknown.message += ` (and the required key "${missingKey(missing)}" is missing)`;
  }
  return diags.filter((d) => !misspelt.has(d));
}

function missingKey(d: Diagnostic): string {
  return /missing required key "(.*)"$/.exec(d.message)?.[1] ?? '';
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
  if (type === 'object') return 'a mapping';
  if (type === 'array') return 'a list';
  return type === 'integer' ? 'an integer' : `a ${type}`;
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
