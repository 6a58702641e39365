// `picc init`: the starter spec compiles as it is, with no diagnostic at all, for every OS
// and size; its first line is the editor modeline; init never overwrites a file and refuses
// bad options with a diagnostic.

import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runInit, schemaRef } from '../../src/cli/init.js';
import { STARTER_MAX_NODES, STARTER_OS_IDS, starterSpec } from '../../src/cli/starter.js';
import { compile } from '../../src/index.js';
import { serializeSecrets } from '../../src/secrets/file.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import { SCHEMA_FILE } from '../../src/cluster-spec/schema-file.js';
import { runCommand } from './cli-harness.js';

let secrets: string;
beforeAll(async () => {
  secrets = serializeSecrets(await generateSecrets('homelab', new Date('2026-01-01T00:00:00Z')));
}, 30_000);

describe('the starter spec', () => {
  it.each([...STARTER_OS_IDS.flatMap((os) => [1, 3].map((n) => [os, n] as const)), ['raspios-trixie', STARTER_MAX_NODES] as const])('%s with %i nodes compiles with no diagnostic', (os, nodes) => {
    const text = starterSpec({ nodes, os, schemaRef: './schema.json', file: 'cluster.yaml' });
    const result = compile('cluster.yaml', text, 'cluster.secrets.yaml', secrets);
    expect(result.diagnostics).toEqual([]);
    expect(result.plan!.nodes).toHaveLength(nodes);
    expect(result.plan!.nodes.every((n) => n.os.id === os)).toBe(true);
    expect(result.plan!.nodes.filter((n) => n.joinKind === 'init').map((n) => n.name)).toEqual(['cp-1']);
  });

  it('opens with the yaml-language-server modeline', () => {
    expect(starterSpec({ nodes: 3, os: 'raspios-trixie', schemaRef: 'https://example.org/s.json', file: 'lab.yaml' }).split('\n')[0]).toBe('# yaml-language-server: $schema=https://example.org/s.json');
  });
});

describe('picc init', () => {
  const init = (file: string, opts: { nodes?: string; os?: string; schema?: string } = {}) =>
    runCommand('init', { format: 'json' }, (r) => runInit(file, r, { nodes: '3', os: 'raspios-trixie', ...opts }));

  it('writes the starter, pointing the modeline at the shipped schema, and refuses to write it again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picc-init-'));
    const file = join(dir, 'lab.yaml');
    const first = await init(file, { nodes: '5', os: 'ubuntu-24.04' });
    expect(first.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe(`# yaml-language-server: $schema=file://${SCHEMA_FILE}`);
    expect(text).toContain('#   picc plan lab.yaml');
    expect(text.match(/^    - name: /gm)).toHaveLength(5);
    writeFileSync(file, 'mine\n');
    const again = await init(file);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout).diagnostics.map((d: { code: string }) => d.code)).toEqual(['PICC012']);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });

  it('refuses a bad node count, OS or schema reference, all at once, writing nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'picc-init-'));
    const run = await init(join(dir, 'c.yaml'), { nodes: '0', os: 'raspios-buster', schema: 'a b' });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).diagnostics.map((d: { message: string }) => d.message.split(':')[0])).toEqual(['--nodes 0', '--os raspios-buster', '--schema']);
    expect(existsSync(join(dir, 'c.yaml'))).toBe(false);
  });

  it('gives a relative modeline when the schema lies below the spec (a project\'s node_modules)', () => {
    const repo = join(SCHEMA_FILE, '..', '..');
    expect(schemaRef(join(repo, 'cluster.yaml'))).toBe('./schema/cluster.schema.json');
    expect(schemaRef('/elsewhere/cluster.yaml')).toBe(`file://${SCHEMA_FILE}`);
  });
});
