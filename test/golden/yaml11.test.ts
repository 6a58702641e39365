// YAML 1.1 and 1.2 readers agree on every user-data and network-config of every golden
// case (the committed files under test/golden/*/expected): PyYAML (Debian's python3-yaml, the parser cloud-init uses) reads the same data as
// the `yaml` package picc builds them with. A string YAML 1.1 reads as something else
// (on, 0777, 1:20, a date) or a raw U+2028 line break would show up here as a difference.

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { pyyamlLoadAll } from '../hostile/tools.js';
import { listCases, readTree } from './cases.js';

const cases = listCases();

/** What the `yaml` package reads, in the shape the PyYAML helper reports it. */
function yaml12(text: string): unknown {
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) return { error: 'empty stream' };
  for (const d of docs) if (d.errors.length > 0) return { error: d.errors.map((e) => e.message).join('; ') };
  return { docs: docs.map((d) => d.toJS({ maxAliasCount: 0 })) };
}

describe.each(cases)('$name', (c) => {
  it('every user-data and network-config reads the same with YAML 1.1 (PyYAML) and YAML 1.2 (yaml)', () => {
    const files = readTree(c.expectedDir).filter((f) => f.path.endsWith('/user-data') || f.path.endsWith('/network-config'));
    expect(files.length).toBeGreaterThan(0);
    const texts = files.map((f) => f.bytes.toString('utf8'));
    const read = pyyamlLoadAll(texts);
    files.forEach((f, i) => {
      const mine = read[i]!;
      expect('error' in mine ? mine.error : '', `PyYAML on ${f.path}`).toBe('');
      expect(mine, f.path).toEqual(yaml12(texts[i]!));
    });
  });
});
