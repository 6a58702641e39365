// Every string the spec can hold is held to a format (src/cluster-spec/formats.ts) or a fixed set
// of values: free text without a restricted alphabet would reach scripts, YAML and keyfiles
// unchecked. A new string field without a format fails here.

import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { FORMATS } from '../../src/cluster-spec/formats.js';

const require = createRequire(import.meta.url);
const schema = require('../../schema/cluster.schema.json') as Record<string, unknown>;

/** JSON pointers of every schema object that admits a string without a format, enum or const. */
function unrestrictedStrings(node: unknown, at: string, out: string[]): string[] {
  if (Array.isArray(node)) node.forEach((n, i) => unrestrictedStrings(n, `${at}/${i}`, out));
  else if (node !== null && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    const types = Array.isArray(o['type']) ? o['type'] : [o['type']];
    if (types.includes('string') && o['format'] === undefined && o['enum'] === undefined && o['const'] === undefined) out.push(at);
    // propertyNames: map keys are strings too (labels).
    if (o['type'] === 'object' && o['additionalProperties'] !== false && o['additionalProperties'] !== undefined) {
      const names = o['propertyNames'] as Record<string, unknown> | undefined;
      if (!names?.['format'] && !names?.['enum'] && !names?.['pattern']) out.push(`${at}/propertyNames`);
    }
    for (const [k, v] of Object.entries(o)) unrestrictedStrings(v, `${at}/${k}`, out);
  }
  return out;
}

describe('schema/cluster.schema.json', () => {
  it('has no string field (or map key) without a format or a fixed set of values', () => {
    expect(unrestrictedStrings(schema, '#', [])).toEqual([]);
  });

  it('uses only formats that picc defines', () => {
    const used = new Set<string>();
    JSON.stringify(schema, (k, v: unknown) => {
      if (k === 'format' && typeof v === 'string') used.add(v);
      return v;
    });
    expect([...used].filter((f) => !(f in FORMATS))).toEqual([]);
    expect(used.has('ssid')).toBe(true);
  });
});
