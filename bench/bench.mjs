// `npm run bench`: how fast picc is, as a whole process, against `node -e 0` in the same run.
// A benchmark, not a test: it prints one table and exits 0 whether targets are met or not
// (exit 1 only when something it measures fails to run).
//
// Wall time: the parent's monotonic clock around each child, median of N runs, the cases
// alternating run by run so a slow minute of the machine hits them all alike.
// Peak RSS: GNU time's %M (the kernel's ru_maxrss from wait4 for the child, the highest over
// the N runs): the kernel's own count, not a sampled guess. GNU time (Debian's `time`) runs
// around every case, node -e 0 included, so its few hundred microseconds are in every row.
// The specs of 100 and 1000 nodes are generated here, deterministically, into a temp folder.
// Two rows are floors, for reference: `picc --version` loads every module a compile loads and
// runs none of it (the start-up share of the example's compile); and files of the 1000-node
// output's sizes are written and nothing else: the least of the disk's share of that compile,
// which no change to picc can take away (bench/write-floor.mjs). Written with the machine
// otherwise idle, it is a lower bound: during a compile the other core is busy.
//
//   npm run bench                 # BENCH_RUNS=N for another run count (default 9)

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(REPO, 'dist', 'cli.js');
const GNU_TIME = '/usr/bin/time';
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const MB = 1024 * 1024;

function die(message) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(1);
}

if (!Number.isInteger(RUNS) || RUNS < 1) die(`BENCH_RUNS must be a positive whole number, not ${process.env.BENCH_RUNS}`);
if (!existsSync(CLI)) die('dist/cli.js is missing: npm run build first');
if (!existsSync(GNU_TIME)) die('GNU time is missing: apt-get install time');

// ---------------------------------------------------------------- generated specs

/** A cluster of `count` nodes on a /16: three control planes behind a virtual IP, the rest workers, OSes in turn. */
function generatedSpec(name, count) {
  const oses = ['raspios-bookworm', 'raspios-trixie', 'ubuntu-24.04'];
  const lines = [
    'apiVersion: picc/v1alpha1',
    'kind: Cluster',
    'metadata:',
    `  name: ${name}`,
    'spec:',
    '  kubernetes:',
    '    version: 1.34.2',
    '    controlPlaneEndpoint: 10.20.0.10:6443',
    '  network:',
    '    subnet: 10.20.0.0/16',
    '    gateway: 10.20.0.1',
    '    dns: [10.20.0.1, 1.1.1.1]',
    '  nodeDefaults:',
    '    os: raspios-bookworm',
    '    arch: arm64',
    '    interface: eth0',
    '  access:',
    '    user: pi',
    '    sshAuthorizedKeys:',
    '      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHbq2Vw0cK8tZqk6oA1mB2wOe7xY3n4JrS5dT6uV7wX8 bench@laptop',
    '  nodes:',
  ];
  for (let i = 0; i < count; i++) {
    const cp = i < 3;
    const host = 100 + i; // 10.20.0.100 onwards, spilling into 10.20.1.x, 10.20.2.x, …
    const address = `10.20.${Math.floor(host / 250)}.${(host % 250) + 2}`;
    lines.push(`    - name: ${cp ? `cp-${i + 1}` : `worker-${String(i - 2).padStart(4, '0')}`}`);
    if (cp) lines.push('      role: control-plane');
    lines.push(`      address: ${address}`);
    lines.push(`      os: ${oses[i % oses.length]}`);
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- running and timing

function runPicc(args, cwd) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  if (r.status !== 0) die(`picc ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
}

/** One run of argv under GNU time: wall seconds by our clock, peak RSS in bytes by the kernel's. */
function measure(argv, cwd, rssFile) {
  const start = process.hrtime.bigint();
  const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', rssFile, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * MB });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) die(`${argv.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  const kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  if (!Number.isFinite(kib)) die(`GNU time wrote no peak RSS for ${argv.join(' ')}`);
  return { seconds, rss: kib * 1024 };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function bytesUnder(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? bytesUnder(p) : statSync(p).size;
  }
  return total;
}

// ---------------------------------------------------------------- the cases

const work = mkdtempSync(join(tmpdir(), 'picc-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

copyFileSync(join(REPO, 'examples', 'homelab.yaml'), join(work, 'homelab.yaml'));
writeFileSync(join(work, 'nodes100.yaml'), generatedSpec('nodes100', 100));
writeFileSync(join(work, 'nodes1000.yaml'), generatedSpec('nodes1000', 1000));
// Secrets once, outside the timing: a cold compile with its secrets file in place.
for (const spec of ['homelab.yaml', 'nodes100.yaml', 'nodes1000.yaml']) runPicc(['secrets', 'init', spec], work);

const compileCase = (label, spec) => ({
  label,
  argv: [process.execPath, CLI, 'compile', spec, '-o', `out-${spec}`],
  out: join(work, `out-${spec}`),
});
// The 1000-node output's files (path, size, mode), from one compile outside the timing: the
// file system's floor writes files like them and nothing else (bench/write-floor.mjs).
runPicc(['compile', 'nodes1000.yaml', '-o', 'out-listing'], work);
const listing = [];
const list = (dir, rel) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) list(join(dir, e.name), path);
    else {
      const st = statSync(join(dir, e.name));
      listing.push([path, st.size, st.mode & 0o777]);
    }
  }
};
list(join(work, 'out-listing'), '');
rmSync(join(work, 'out-listing'), { recursive: true, force: true });
writeFileSync(join(work, 'floor.json'), JSON.stringify(listing));

const cases = [
  { label: 'node -e 0', argv: [process.execPath, '-e', '0'] },
  compileCase('compile example (7 nodes)', 'homelab.yaml'),
  // Loads every module a compile loads and runs none of it: the start-up floor of the row above.
  { label: 'picc --version only', argv: [process.execPath, CLI, '--version'], reference: 'loading picc\'s code, the floor for the row above' },
  compileCase('compile 100 nodes', 'nodes100.yaml'),
  compileCase('compile 1000 nodes', 'nodes1000.yaml'),
  { label: `write its ${listing.length} files only`, argv: [process.execPath, join(REPO, 'bench', 'write-floor.mjs'), 'floor.json', 'out-floor'], out: join(work, 'out-floor'), reference: 'the file system\'s floor for the row above' },
];
for (const c of cases) c.samples = [];

process.stderr.write(`bench: ${RUNS} alternating runs of ${cases.length} cases in ${work}\n`);
for (let i = 0; i < RUNS; i++) {
  for (const c of cases) {
    // Cold every time: a new process and an output folder that does not exist yet.
    if (c.out) rmSync(c.out, { recursive: true, force: true });
    c.samples.push(measure(c.argv, work, join(work, 'rss')));
    if (c.out) c.bytes = bytesUnder(c.out);
  }
  process.stderr.write('.');
}
process.stderr.write('\n');

// setup.sh a second time on a converged sandbox node (bench/rerun.bats drives the sandbox).
const rerunOut = join(work, 'rerun.txt');
const bats = spawnSync(join(REPO, 'node_modules', 'bats', 'bin', 'bats'), [join(REPO, 'bench', 'rerun.bats')], {
  cwd: REPO,
  encoding: 'utf8',
  env: { ...process.env, BENCH_RERUN_OUT: rerunOut, BENCH_RUNS: String(RUNS) },
});
if (bats.status !== 0) die(`bench/rerun.bats failed:\n${bats.stdout}${bats.stderr}`);
const reruns = readFileSync(rerunOut, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));

// ---------------------------------------------------------------- the table

const byLabel = Object.fromEntries(cases.map((c) => [c.label, { ...c, wall: median(c.samples.map((s) => s.seconds)), rss: Math.max(...c.samples.map((s) => s.rss)) }]));
const base = byLabel['node -e 0'].wall;
const n100 = byLabel['compile 100 nodes'].wall;
const RSS_MAX = 300 * MB;

const verdict = (checks) => (checks.every(([ok]) => ok) ? 'met' : `NOT met (${checks.filter(([ok]) => !ok).map(([, what]) => what).join(', ')})`);
const ms = (s) => `${(s * 1000).toFixed(0)} ms`;
const rows = [];
for (const c of Object.values(byLabel)) {
  let target = '';
  let status = '';
  const rssOk = [c.rss <= RSS_MAX, 'RSS'];
  if (c.label === 'compile example (7 nodes)') {
    target = '≤ 1.5× node -e 0, RSS ≤ 300 MB';
    status = verdict([[c.wall <= 1.5 * base, 'time'], rssOk]);
  } else if (c.label === 'compile 100 nodes') {
    target = 'RSS ≤ 300 MB';
    status = verdict([rssOk]);
  } else if (c.label === 'compile 1000 nodes') {
    target = `≤ 2 s, ≤ 12× 100 nodes (${(c.wall / n100).toFixed(1)}×), RSS ≤ 300 MB`;
    status = verdict([[c.wall <= 2, '2 s'], [c.wall <= 12 * n100, '12×'], rssOk]);
  } else if (c.reference) {
    target = c.reference;
    status = 'reference';
  }
  const out = c.bytes !== undefined ? `${(c.bytes / MB).toFixed(1)} MB out` : '';
  rows.push([c.label, ms(c.wall), `${(c.wall / base).toFixed(2)}×`, `${(c.rss / MB).toFixed(0)} MB`, out, target, status]);
}
const rerunWall = median(reruns.map(([s]) => s));
const rerunChanges = Math.max(...reruns.map(([, n]) => n));
rows.push([
  'setup.sh 2nd run (sandbox)',
  ms(rerunWall),
  `${(rerunWall / base).toFixed(2)}×`,
  '',
  `${rerunChanges} changes`,
  '≤ 2 s, 0 changes',
  verdict([[rerunWall <= 2, '2 s'], [rerunChanges === 0, 'changes']]),
]);

const header = ['case', `median of ${RUNS}`, '× node -e 0', 'peak RSS', 'output', 'target', 'status'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
console.log(`picc bench: node ${process.version}, ${RUNS} runs each (wall: median; peak RSS: highest, GNU time %M)`);
console.log(line(header));
console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
for (const r of rows) console.log(line(r));
