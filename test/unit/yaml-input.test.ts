// The hostile-input guard (src/diagnostics/yaml-input.ts) through load(): oversized and
// over-deep text, aliases, tags, NUL and BOM each give their diagnostic at the place
// they are written, never an exception, and nothing is handed on that could blow up later.

import { describe, expect, it } from 'vitest';
import { parseYamlInput, YAML_INPUT_LIMITS } from '../../src/diagnostics/yaml-input.js';
import { load } from '../../src/cluster-spec/load.js';

function only(text: string) {
  const r = load('cluster.yaml', text);
  return { r, codes: r.diagnostics.map((d) => `${d.severity}:${d.code}@${d.line ?? '-'}:${d.col ?? '-'}`) };
}

describe('load limits', () => {
  it('refuses a file over 1 MiB before parsing it, without a position (the line could be megabytes long)', () => {
    const text = `a: ${'x'.repeat(YAML_INPUT_LIMITS.maxBytes)}\n`;
    const { r, codes } = only(text);
    expect(codes).toEqual(['error:PICC005@-:-']);
    expect(r.diagnostics[0]!.message).toMatch(/1,048,580 bytes; picc reads at most 1,048,576/);
    expect(r.value).toBeUndefined();
  });

  it('counts bytes, not characters (a multi-byte text over the limit is refused)', () => {
    const text = `a: ${'ż'.repeat(YAML_INPUT_LIMITS.maxBytes / 2)}\n`; // 2 bytes each
    expect(only(text).codes).toEqual(['error:PICC005@-:-']);
  });

  it('accepts a file at the limit', () => {
    const head = 'a: ';
    const text = head + 'x'.repeat(YAML_INPUT_LIMITS.maxBytes - head.length);
    expect(only(text).codes).toEqual([]);
  });

  it.each([
    ['flow sequences', '['.repeat(200_000)],
    ['flow mappings', 'a: ' + '{a: '.repeat(100_000)],
    ['block sequences on one line', '- '.repeat(300_000) + 'x'],
    ['block mappings by indentation', Array.from({ length: 70 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' x\n'],
  ])('refuses nesting deeper than the limit (%s) at the first level past it, without overflowing the stack', (_name, text) => {
    const { r, codes } = only(text);
    expect(codes).toHaveLength(1);
    expect(codes[0]).toMatch(/^error:PICC006@\d+:\d+$/);
    expect(r.value).toBeUndefined();
  });

  it('refuses far-too-deep text before parsing it (the parser takes seconds on it)', () => {
    const r = parseYamlInput('cluster.yaml', `a: ${'['.repeat(1_000_000)}`);
    expect(r.diagnostics.map((d) => `${d.code}@${d.line}`)).toEqual(['PICC006@1']);
    // At a bracket past the exact limit, within the estimate's margin.
    expect(r.diagnostics[0]!.col).toBeGreaterThan(4 + YAML_INPUT_LIMITS.maxDepth);
    expect(r.diagnostics[0]!.col).toBeLessThanOrEqual(4 + YAML_INPUT_LIMITS.maxDepth * 4);
    expect(r.docs).toEqual([]);
  });

  it('does not count brackets inside plain, quoted or commented text', () => {
    const many = '['.repeat(400);
    expect(only(`a: x${many}\nb: "${many}"\nc: '${many}'\n# ${many}\nd: [x${']'.repeat(1)}\n`).codes).toEqual([]);
  });

  it('accepts nesting at the limit', () => {
    const depth = YAML_INPUT_LIMITS.maxDepth;
    expect(only('['.repeat(depth) + ']'.repeat(depth)).codes).toEqual([]);
    expect(only('['.repeat(depth + 1) + ']'.repeat(depth + 1)).codes).toEqual(['error:PICC006@1:65']);
  });
});

describe('wide mappings', () => {
  const keys = (n: number) => Array.from({ length: n }, (_, i) => `k${i}: 1`);

  it('refuses a block mapping with more entries than the limit, at the mapping, before the quadratic duplicate-key check', () => {
    const { r, codes } = only(`spec:\n${keys(20_000).map((l) => `  ${l}`).join('\n')}\n`);
    expect(codes).toEqual(['error:PICC005@2:3']);
    expect(r.diagnostics[0]!.message).toBe('a mapping holds 20,000 entries; picc reads at most 1,000 in one mapping');
    expect(r.value).toBeUndefined();
  });

  it('refuses a wide flow mapping too, and accepts a mapping at the limit and a long list', () => {
    expect(only(`a: {${keys(YAML_INPUT_LIMITS.maxMapEntries + 1).join(', ')}}\n`).codes).toEqual(['error:PICC005@1:4']);
    expect(only(`${keys(YAML_INPUT_LIMITS.maxMapEntries).join('\n')}\n`).codes).toEqual([]);
    expect(only(`a: [${Array(5000).fill('1').join(', ')}]\n`).codes).toEqual([]);
  });
});

describe('YAML features picc refuses', () => {
  it('an alias, at the alias, pointing the user at nodeDefaults', () => {
    const { r, codes } = only('a: &x 1\nb: *x\n');
    expect(codes).toEqual(['error:PICC007@2:4']);
    expect(r.diagnostics[0]!.message).toBe('YAML alias *x is not supported');
    expect(r.diagnostics[0]!.hint).toMatch(/nodeDefaults/);
    expect(r.diagnostics[0]!.span).toBe(2);
  });

  it('an unresolved alias is a diagnostic too (toJS would throw on it)', () => {
    expect(only('a: *nope\n').codes).toEqual(['error:PICC007@1:4']);
  });

  it('every alias of an alias bomb, each once, without expanding anything', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => {
      const p = String.fromCharCode(97 + i);
      const n = String.fromCharCode(98 + i);
      return `${n}: &${n} [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]`;
    })].join('\n');
    const { codes } = only(bomb + '\n');
    expect(codes).toHaveLength(72);
    expect(new Set(codes.map((c) => c.split('@')[0]))).toEqual(new Set(['error:PICC007']));
  });

  it('a merge key is an alias', () => {
    expect(only('base: &b {x: 1}\nnode:\n  <<: *b\n').codes).toEqual(['error:PICC007@3:7']);
  });

  it.each([
    ['!!binary aGVsbG8=', '!!binary'],
    ['!foo x', '!foo'],
    ['!!str 1.30', '!!str'],
    ['!<tag:yaml.org,2002:int> 5', '!<tag:yaml.org,2002:int>'],
  ])('an explicit tag (%s), at the tag, and yaml\'s own warning about it is not repeated', (value, tag) => {
    const { r, codes } = only(`a: ${value}\n`);
    expect(codes).toEqual(['error:PICC008@1:4']);
    expect(r.diagnostics[0]!.message).toBe(`explicit YAML tag ${tag} is not supported`);
  });

  it('a tag on a collection', () => {
    expect(only('a: !!set\n  ? x\n').codes).toEqual(['error:PICC008@1:4']);
  });
});

describe('keys', () => {
  it('a list or mapping as a key is refused at the key (no plain-object form; yaml would warn on stderr)', () => {
    const { codes, r } = only('a: 1\n? [x, y]\n: 2\n{b: 1}: 3\n');
    expect(codes).toEqual(['error:PICC002@2:3', 'error:PICC002@4:1']);
    expect(r.diagnostics[0]!.message).toBe('a list or mapping used as a key');
  });

  it('an alias as a key is reported once, as an alias', () => {
    expect(only('a: &k x\n*k : 1\n').codes).toEqual(['error:PICC007@2:1']);
  });
});

describe('characters', () => {
  it('a NUL is an error at its place, counted once however many there are', () => {
    const { r, codes } = only('a: 1\nb: x\0y\0z\n');
    expect(codes).toEqual(['error:PICC009@2:5']);
    expect(r.diagnostics[0]!.message).toBe('the text holds a NUL character (U+0000) (and 1 more)');
  });

  it('a leading byte-order mark is only a warning; the document is read', () => {
    const { r, codes } = only('\uFEFFa: 1\n');
    expect(codes).toEqual(['warning:PICC009@1:1']);
    expect(r.value?.doc.toJS()).toEqual({ a: 1 });
  });

  it('a byte-order mark elsewhere is an error', () => {
    expect(only('a: 1\nb: x\uFEFFy\n').codes).toEqual(['error:PICC009@2:5']);
  });
});

describe('positions', () => {
  it('stay on the right line after a broken multi-line scalar (the parser skips its newline)', () => {
    const r = load('cluster.yaml', 'a:\n  b: 1\n}  c: d\n  e: f\n  g: h\n');
    const lines = 'a:\n  b: 1\n}  c: d\n  e: f\n  g: h\n'.split('\n');
    for (const d of r.diagnostics) expect(d.col!, `${d.message} at ${d.line}:${d.col}`).toBeLessThanOrEqual(lines[d.line! - 1]!.length + 1);
    expect(r.diagnostics.map((d) => d.line)).toContain(5);
  });
});

describe('parseYamlInput for other files', () => {
  it('takes its own limits', () => {
    const r = parseYamlInput('secrets.yaml', 'a: [[1]]\n', { limits: { maxBytes: 100, maxDepth: 2, maxMapEntries: 10 } });
    expect(r.diagnostics.map((d) => d.code)).toEqual(['PICC006']);
    expect(r.docs).toEqual([]);
  });

  it('keeps only the first syntax error when asked', () => {
    const r = parseYamlInput('secrets.yaml', 'a: [1\nb: "x\nc: ]\n', { firstSyntaxErrorOnly: true });
    expect(r.diagnostics.filter((d) => d.code === 'PICC002')).toHaveLength(1);
  });
});

describe('the depth estimate never refuses a real spec', () => {
  it.each(['homelab', 'ha', 'cilium', 'mixed-os'])('test/golden/%s/cluster.yaml and its secrets file', async (name) => {
    const { readFileSync } = await import('node:fs');
    const { firstPlaceDeeperThan } = await import('../../src/diagnostics/nesting-estimate.js');
    for (const file of ['cluster.yaml', 'cluster.secrets.yaml']) {
      const text = readFileSync(`test/golden/${name}/${file}`, 'utf8');
      // Real files nest about 7 deep; the estimate stays within a small multiple of that.
      expect(firstPlaceDeeperThan(text, 16)).toBeUndefined();
    }
  });
});

describe('the depth estimate', () => {
  // Each at the level that takes the estimate to 257: the truth there is 256 (the estimate
  // counts the line's own level once more), never above the estimate.
  it.each([
    ['flow brackets', `a: ${'['.repeat(300)}`, 'a: '.length + 254],
    ['block sequences on one line', `${'- '.repeat(300)}x`, 2 * 255],
    ['flow mappings', `${'{a: '.repeat(300)}`, 4 * 255],
  ])('finds the first place past the limit (%s) without parsing', async (_name, text, offset) => {
    const { firstPlaceDeeperThan } = await import('../../src/diagnostics/nesting-estimate.js');
    expect(firstPlaceDeeperThan(text, 256)).toBe(offset);
    expect(firstPlaceDeeperThan(text, 1000)).toBeUndefined();
  });
});
