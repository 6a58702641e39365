// `picc mirror`'s list must be the whole cluster's: for every golden case, the URLs it lists
// (files and apt entries) are exactly the union of the URLs in all the case's compiled
// scripts (less the cluster's own API addresses and the documentation links in unit files),
// one entry per URL. And the download script of every case is clean under shellcheck.

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/index.js';
import { downloadScript, fetchesTsv } from '../../src/mirror/mirror-files.js';
import { mirrorPlan } from '../../src/mirror/mirror-plan.js';
import { compileOptions, listCases, secretsName, specName } from './cases.js';

/** Every http(s) URL in a script, as the shell would see it (quotes and trailing punctuation cut). */
function urlsIn(script: string): string[] {
  return [...script.matchAll(/https?:\/\/[^\s"'`)<>]+/g)].map((m) => m[0].replace(/[.,;:]+$/, ''));
}

function shellcheck(file: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    execFile('shellcheck', ['--norc', '--severity=style', '--format=gcc', file], (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') return reject(err);
      resolve({ code: err ? Number(err.code) : 0, output: stdout + stderr });
    });
  });
}

describe.each(listCases())('mirror of golden case $name', (c) => {
  const result = compile(specName(c), c.specText, secretsName(c), c.secretsText, compileOptions(c));
  const plan = result.plan!;
  const m = mirrorPlan(plan);
  const listed = [...m.files.map((f) => f.fetch.url), ...m.apt.map((a) => a.fetch.url)];

  it('lists exactly the URLs of all the case\'s scripts, one entry per URL', () => {
    const scripts = result.artifacts!.filter((a) => a.path.endsWith('.sh'));
    expect(scripts.length).toBeGreaterThanOrEqual(plan.nodes.length);
    const apiUrls = new Set([`https://${plan.kubernetes.endpoint}`, ...plan.nodes.flatMap((n) => [n.kubeadm.endpointUrl, `https://${n.address}:6443/readyz`, ...(n.upgrade?.versionUrl ? [n.upgrade.versionUrl] : [])])]);
    const inScripts = new Set(
      scripts.flatMap((s) => {
        const documentation = new Set([...s.content.matchAll(/^Documentation=(\S+)$/gm)].map((x) => x[1]!));
        return urlsIn(s.content).filter((u) => !apiUrls.has(u) && !documentation.has(u));
      }),
    );
    expect([...listed].sort()).toEqual([...inScripts].sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it('has one TSV line per URL, and every file entry is a verified download in the script', () => {
    const tsv = fetchesTsv(m).trimEnd().split('\n');
    expect(tsv.length).toBe(listed.length + 1);
    expect(tsv.slice(1).map((l) => l.split('\t')[0]).sort()).toEqual([...listed].sort());
    const script = downloadScript(m);
    for (const f of m.files) expect(script).toContain(`fetch ${f.path} ${f.sha256} `);
    expect(script.match(/^fetch /gm)?.length).toBe(m.files.length);
  });

  it('writes a download script clean under shellcheck --severity=style', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), `picc-mirror-${c.name}-`));
    try {
      const file = join(dir, 'download.sh');
      const script = downloadScript(m);
      expect(script.startsWith('#!/usr/bin/env bash\n')).toBe(true);
      expect(script).not.toMatch(/^\s*#\s*shellcheck\s+disable=/m);
      writeFileSync(file, script);
      const lint = await shellcheck(file);
      expect(lint.output.replaceAll(dir + '/', '').trim()).toBe('');
      expect(lint.code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
