// Output is a pure function of (spec, secrets) — DESIGN.md principle 1 — checked four ways:
//   (a) the same input twice gives the same artifacts;
//   (b) the real CLI in other processes, under other TZ, locale, umask and cwd, writes
//       byte-identical trees (and exactly what compile() returns);
//   (c) the same spec written differently (mapping keys in another order at every level,
//       nodes in another order) compiles to the same artifacts;
//   (d) a fresh secrets bundle changes exactly the secret-derived text and nothing else.

import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { isMap, isSeq, parseDocument, type Node, type YAMLMap } from 'yaml';
import type { Artifact } from '../../src/index.js';
import { parseSecrets, serializeSecrets } from '../../src/secrets/file.js';
import { generateSecrets } from '../../src/secrets/generate.js';
import { caCertHash } from '../../src/secrets/hash.js';
import type { SecretsBundle } from '../../src/secrets/types.js';
import { compileCase, listCases, readTree, REPO_ROOT, type TreeFile } from './cases.js';
import { buildManifest, MANIFEST_NAME, serializeManifest } from '../../src/manifest.js';
import { compareCodeUnits as byCodeUnit } from '../../src/order.js';

const run = promisify(execFile);
const cases = listCases();
const CLI = join(REPO_ROOT, 'dist', 'cli.js');

function asTree(artifacts: Artifact[]): TreeFile[] {
  return artifacts.map((a) => ({ path: a.path, mode: a.mode, bytes: Buffer.from(a.content, 'utf8') }));
}

/** What the CLI writes for these artifacts: the artifacts and emit's manifest of them. */
function writtenTree(artifacts: Artifact[]): TreeFile[] {
  const cluster = artifacts[0]!.path.split('/')[0]!;
  const relative = artifacts.map((a) => ({ ...a, path: a.path.slice(cluster.length + 1) }));
  const manifest = { path: `${cluster}/${MANIFEST_NAME}`, mode: 0o644, content: serializeManifest(buildManifest(cluster, relative)) };
  return asTree([...artifacts, manifest]).sort((a, b) => byCodeUnit(a.path, b.path));
}

/** Compact and exact: equal trees give equal summaries, and a difference names the file. */
function summary(tree: TreeFile[]): string[] {
  return tree.map((f) => `${f.mode.toString(8).padStart(4, '0')} ${createHash('sha256').update(f.bytes).digest('hex')} ${f.path}`);
}

describe.each(cases)('determinism: $name', (c) => {
  it('(a) compiling twice gives identical artifacts', () => {
    expect(compileCase(c)).toEqual(compileCase(c));
  });

  it('(c) keys in another order at every level and nodes in another order compile the same', () => {
    const shuffled = reorderedSpec(c.specText);
    expect(shuffled).not.toBe(c.specText);
    expect(compileCase(c, shuffled)).toEqual(compileCase(c));
  });

  it('(d) a fresh secrets bundle changes only the token, CA hash, PEM blocks, base64 cert data and instance-id', async () => {
    const old = parseSecrets('old', c.secretsText).value!;
    // Wi-Fi passphrases are the user's, not generated: the fresh bundle keeps them.
    const fresh: SecretsBundle = { ...(await generateSecrets(old.cluster, new Date(Date.UTC(2031, 0, 2, 3, 4, 5)))), wifi: new Map(old.wifi) };
    expect(fresh.bootstrapToken).not.toBe(old.bootstrapToken);
    expect(caCertHash(fresh.ca.cert)).not.toBe(caCertHash(old.ca.cert));

    const before = compileCase(c);
    const after = compileCase(c, c.specText, serializeSecrets(fresh));
    expect(after.map((a) => [a.path, a.mode])).toEqual(before.map((a) => [a.path, a.mode]));

    const maskOld = masker(old);
    const maskFresh = masker(fresh);
    const masks = new Set<string>();
    for (const [i, b] of before.entries()) {
      const a = after[i]!;
      const mb = maskOld(b.content);
      const ma = maskFresh(a.content);
      // Same text once each secret-derived value is replaced by the name of what it is
      // (<PEM ca.key>, not just <PEM>): the same secret sits in the same place.
      expect(ma, `${a.path} differs in more than the secrets`).toBe(mb);
      // Nothing of the old bundle survives in the new output.
      for (const value of secretValues(old)) expect(a.content.includes(value), `${a.path} still holds an old secret`).toBe(false);
      for (const m of mb.match(/<[A-Z0-9-]+( [a-zA-Z.]+)?>/g) ?? []) masks.add(m.replace(/ .*>/, '>'));
      if (b.content !== a.content) expect(mb, `${a.path} changed but no secret in it was masked`).toMatch(/<(TOKEN|CA-HASH|PEM|BASE64|INSTANCE-ID|JOIN-DIGEST|SHA256)[ >]/);
    }
    // Every kind of mask was needed: the test masks what is really there, nothing speculative.
    expect([...masks].sort()).toEqual(['<BASE64>', '<CA-HASH>', '<INSTANCE-ID>', '<JOIN-DIGEST>', '<PEM>', '<SHA256>', '<TOKEN>']);
  });
});

describe('determinism: the CLI across environments', () => {
  it('(b) other TZ, locale, umask and cwd give byte-identical trees, equal to compile()', async () => {
    expect(existsSync(CLI), `${CLI} is missing: build first (npm run build)`).toBe(true);
    const work = mkdtempSync(join(tmpdir(), 'picc-determinism-'));
    try {
      // The reference, compile() in this process, runs under vitest's environment; the two
      // CLI runs differ from it and from each other in everything the host could leak through.
      const environments = [
        // Lithuanian collation sorts y before j; Kiritimati is UTC+14; from the repository, absolute -o.
        { name: 'lt', cwd: REPO_ROOT, relative: false, umask: '077', env: { TZ: 'Pacific/Kiritimati', LANG: 'lt_LT.UTF-8', LC_ALL: 'lt_LT.UTF-8' } },
        // Danish sorts "aa" after z; St John's is UTC-3:30; the locale from LANG alone; relative -o from another cwd.
        { name: 'da', cwd: join(work, 'da'), relative: true, umask: '002', env: { TZ: 'America/St_Johns', LANG: 'da_DK.UTF-8' } },
      ];
      const runs = cases.flatMap((c) => environments.map((e) => {
        const out = e.relative ? `out-${c.name}` : join(work, e.name, `out-${c.name}`);
        return { c, e, out, tree: resolve(e.cwd, out) };
      }));
      for (const e of environments) mkdirSync(join(work, e.name), { recursive: true });
      await Promise.all(runs.map(({ c, e, out }) => {
        // A clean environment: only what the CLI needs, plus the variation under test.
        const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: work, ...e.env };
        const args = ['-c', `umask ${e.umask} && exec "$0" "$@"`, process.execPath, CLI, 'compile', c.specPath, '-o', out, '--secrets', c.secretsPath, ...(c.upgradeFrom ? ['--from', c.upgradeFrom] : [])];
        return run('sh', args, { cwd: e.cwd, env });
      }));
      for (const { c, e, tree } of runs) {
        const got = readTree(tree);
        const want = writtenTree(compileCase(c));
        const message = `CLI output for ${c.name} under ${e.name} differs from compile() (is dist/ stale? npm run build)`;
        // The first differing file as text, for a readable diff; then the whole tree exactly.
        const differing = want.find((w) => !got.some((g) => g.path === w.path && g.bytes.equals(w.bytes)));
        const same = differing && got.find((g) => g.path === differing.path);
        if (differing && same) expect(same.bytes.toString('utf8'), `${message}: ${differing.path}`).toBe(differing.bytes.toString('utf8'));
        expect(summary(got), message).toEqual(summary(want));
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------
// (c) the same spec, written differently
// ---------------------------------------------------------------------------

/**
 * The spec re-serialised with every mapping's keys reversed (so the order differs at
 * every level with two or more keys) and the node list reversed. Other lists keep their
 * order: the order of DNS servers or SSH keys means something.
 */
function reorderedSpec(text: string): string {
  const doc = parseDocument(text);
  const reverseKeys = (node: Node | null | undefined): void => {
    if (isMap(node)) {
      node.items.reverse();
      for (const pair of node.items) reverseKeys(pair.value as Node);
    } else if (isSeq(node)) {
      for (const item of node.items) reverseKeys(item as Node);
    }
  };
  reverseKeys(doc.contents);
  const nodes = ((doc.contents as YAMLMap).get('spec') as YAMLMap).get('nodes');
  if (!isSeq(nodes)) throw new Error('spec.nodes is not a list');
  nodes.items.reverse();
  return doc.toString();
}

// ---------------------------------------------------------------------------
// (d) masking exactly the secret-derived values
// ---------------------------------------------------------------------------

/** The bundle's PEM texts by name, as they appear in the secrets file. */
function pems(b: SecretsBundle): [string, string][] {
  return [
    ['ca.cert', b.ca.cert], ['ca.key', b.ca.key],
    ['frontProxyCa.cert', b.frontProxyCa.cert], ['frontProxyCa.key', b.frontProxyCa.key],
    ['etcdCa.cert', b.etcdCa.cert], ['etcdCa.key', b.etcdCa.key],
    ['serviceAccount.key', b.serviceAccount.key], ['serviceAccount.pub', b.serviceAccount.pub],
    ['admin.cert', b.admin.cert], ['admin.key', b.admin.key],
  ];
}

function secretValues(b: SecretsBundle): string[] {
  // The second base64 line of each PEM: all key material (the first starts with a common DER header).
  const bodies = pems(b).map(([, pem]) => pem.split('\n')[2]!);
  return [b.bootstrapToken, caCertHash(b.ca.cert), ...bodies, ...pems(b).map(([, pem]) => Buffer.from(pem).toString('base64'))];
}

/**
 * Replaces each secret-derived value with a label naming it. PEM blocks and base64 data
 * are matched by shape, then named by which of the bundle's values they are; one that is
 * none of them fails the test (an unexpected key would otherwise be masked away).
 */
function masker(b: SecretsBundle): (text: string) => string {
  const byPem = new Map(pems(b).map(([name, pem]) => [normalisePem(pem), name]));
  const byBase64 = new Map(pems(b).map(([name, pem]) => [Buffer.from(pem).toString('base64'), name]));
  const hash = caCertHash(b.ca.cert);
  // reset.sh proves a certificate or key file is picc's by the sha256 of the file setup wrote.
  const bySha256 = pems(b).map(([name, pem]) => [createHash('sha256').update(pem.endsWith('\n') ? pem : `${pem}\n`).digest('hex'), name] as const);
  return (text) =>
    bySha256.reduce((t, [digest, name]) => t.replaceAll(digest, `<SHA256 ${name}>`), text)
      .replaceAll(b.bootstrapToken, '<TOKEN>')
      .replaceAll(hash, '<CA-HASH>')
      // Also indented (inside user-data's block scalar); the indentation is kept outside the label.
      .replace(/-----BEGIN ([A-Z ]+)-----\n[\s\S]*?-----END \1-----/g, (block) => {
        const name = byPem.get(normalisePem(block));
        if (!name) throw new Error(`a PEM block that is not from the secrets bundle:\n${block.slice(0, 200)}`);
        return `<PEM ${name}>`;
      })
      .replace(/(-data: )([A-Za-z0-9+/=]{100,})$/gm, (_m, key: string, data: string) => {
        const name = byBase64.get(data);
        if (!name) throw new Error(`base64 data that is not from the secrets bundle: ${data.slice(0, 60)}…`);
        return `${key}<BASE64 ${name}>`;
      })
      .replace(/^(instance-id: picc-[a-z0-9-]+-)[0-9a-f]{16}$/m, '$1<INSTANCE-ID>')
      // picc-facts.json: the digest of each node's join material (kubeadm config with the token, CA keys).
      .replace(/^( {6}"join": ")[0-9a-f]{64}(",?)$/gm, '$1<JOIN-DIGEST>$2');
}

function normalisePem(text: string): string {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').join('\n');
}
