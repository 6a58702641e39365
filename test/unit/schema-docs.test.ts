// The JSON Schema is the editor's help (yaml-language-server shows a field's description on
// hover and offers its examples): it has $id, title and description, every field has a
// description and at least one example, and every example is valid for its field under the
// same rules the validate stage applies (picc's formats included).

import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/cluster-spec/formats.js';
import { SCHEMA_FILE } from '../../src/cluster-spec/schema-file.js';

type Node = Record<string, unknown>;
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as Node;

/** Every field of the schema: [JSON pointer, subschema], through definitions, items and oneOf branches. */
function fields(node: unknown, pointer: string): [string, Node][] {
  if (typeof node !== 'object' || node === null) return [];
  const n = node as Node;
  const out: [string, Node][] = [];
  for (const [name, sub] of Object.entries((n['properties'] as Node | undefined) ?? {})) {
    out.push([`${pointer}/properties/${name}`, sub as Node], ...fields(sub, `${pointer}/properties/${name}`));
  }
  for (const [name, sub] of Object.entries((n['definitions'] as Node | undefined) ?? {})) out.push(...fields(sub, `${pointer}/definitions/${name}`));
  if (n['items']) out.push(...fields(n['items'], `${pointer}/items`));
  for (const [i, sub] of ((n['oneOf'] as unknown[] | undefined) ?? []).entries()) out.push(...fields(sub, `${pointer}/oneOf/${i}`));
  return out;
}

const all = fields(schema, '#');

describe('the cluster schema as editor help', () => {
  it('names itself', () => {
    expect(schema['$id']).toMatch(/^https:\/\//);
    expect(schema['title']).toBeTruthy();
    expect(schema['description']).toBeTruthy();
  });

  it('has every field (and there are many)', () => {
    expect(all.length).toBeGreaterThan(60);
  });

  it.each(all)('%s has a description and an example', (_pointer, field) => {
    expect(typeof field['description']).toBe('string');
    expect((field['description'] as string).length).toBeGreaterThan(10);
    expect(Array.isArray(field['examples']) && (field['examples'] as unknown[]).length > 0).toBe(true);
  });

  const ajv = new Ajv({ allErrors: true, strict: true });
  for (const [name, fmt] of Object.entries(FORMATS)) ajv.addFormat(name, { type: 'string', validate: fmt.test });
  ajv.addSchema(schema);
  it.each(all)('%s: each example is valid for the field', (pointer, field) => {
    const check = ajv.getSchema(`${schema['$id'] as string}${pointer}`)!;
    for (const example of (field['examples'] as unknown[] | undefined) ?? []) {
      expect(check(example), `${JSON.stringify(example)}: ${ajv.errorsText(check.errors)}`).toBe(true);
    }
  });
});
