// The files `picc mirror` writes, from a MirrorPlan: fetches.tsv (every URL, one line each),
// images.txt (one image a line), download.sh (fills the mirror; templates/mirror/) and
// README.txt (what to do with them). Pure and deterministic: paths are relative to the
// mirror folder, nothing of the host is written.

import type { Artifact } from '../render/render.js';
import { templates } from '../render/env.js';
import { PICC_VERSION } from '../version.js';
import type { MirrorPlan } from './mirror-plan.js';
import type { ClusterFetch } from '../plan/downloads.js';

export const MIRROR_FILES = { fetches: 'fetches.tsv', images: 'images.txt', script: 'download.sh', readme: 'README.txt' } as const;

export function mirrorFiles(m: MirrorPlan): Artifact[] {
  return [
    { path: MIRROR_FILES.readme, mode: 0o644, content: readme(m) },
    { path: MIRROR_FILES.script, mode: 0o755, content: downloadScript(m) },
    { path: MIRROR_FILES.fetches, mode: 0o644, content: fetchesTsv(m) },
    { path: MIRROR_FILES.images, mode: 0o644, content: imagesText(m) },
  ];
}

export function downloadScript(m: MirrorPlan): string {
  return templates().render('mirror/download.sh.njk', { m, picc: { version: PICC_VERSION } });
}

/** How a node checks a fetch, as one TSV cell: sha256:HEX, fingerprint:FPR or signed-by:FPR. */
export function checkCell(f: ClusterFetch): string {
  const c = f.check;
  return 'sha256' in c ? `sha256:${c.sha256}` : 'fingerprint' in c ? `fingerprint:${c.fingerprint}` : `signed-by:${c.signedBy}`;
}

export const FETCH_COLUMNS = ['url', 'upstream', 'mirror path', 'check', 'mirrored by', 'name', 'version', 'nodes'] as const;

/** One line per distinct URL, in clusterFetches' order (by upstream address); a header line first. */
export function fetchesTsv(m: MirrorPlan): string {
  const rows = [
    ...m.files.map((f) => ({ path: f.path, fetch: f.fetch, by: MIRROR_FILES.script })),
    ...m.apt.map((a) => ({ path: a.path, fetch: a.fetch, by: 'an apt mirroring tool' })),
  ].sort((a, b) => (a.fetch.upstream < b.fetch.upstream ? -1 : a.fetch.upstream > b.fetch.upstream ? 1 : 0));
  const lines = [[...FETCH_COLUMNS], ...rows.map((r) => [r.fetch.url, r.fetch.upstream, r.path, checkCell(r.fetch), r.by, r.fetch.name, r.fetch.version, r.fetch.nodes.join(',')])];
  return lines.map((cells) => cells.map(tsvCell).join('\t')).join('\n') + '\n';
}

/** A TSV cell cannot hold a tab or a line break; picc's own values never do. */
function tsvCell(value: string): string {
  if (/[\t\n\r]/.test(value)) throw new Error(`a tab or line break in a fetch list value: ${JSON.stringify(value)}`);
  return value;
}

/** One image a line after a comment header (grep -v '^#'); what picc cannot know is in README.txt. */
export function imagesText(m: MirrorPlan): string {
  const head = `# Container images of cluster ${m.cluster} that picc knows exactly (picc mirror), one a line; README.txt says how to load them and what is not listed.\n`;
  return head + m.images.known.map((i) => `${i.image}\n`).join('');
}

/** Is this text one of picc mirror's own files (so writing over it loses nothing of the user's)? */
export function isMirrorFile(content: string): boolean {
  return content.startsWith(`${FETCH_COLUMNS.join('\t')}\n`) || content.split('\n', 3).some((l) => l.includes('(picc mirror)'));
}

function readme(m: MirrorPlan): string {
  const cp = m.images.known.filter((i) => i.nodes === 'control planes').length;
  const out: string[] = [
    `Offline mirror for cluster ${m.cluster}, written by picc ${PICC_VERSION} (picc mirror). Do not edit: run picc mirror again.`,
    '',
    `${MIRROR_FILES.fetches}   every URL the cluster's setup scripts fetch, one line per URL: ${FETCH_COLUMNS.join(', ')}`,
    `${MIRROR_FILES.script}   fills this folder on a machine with internet access (each file checked by its sha256)`,
    `${MIRROR_FILES.images}    the container images the cluster pulls, one a line`,
    '',
    '1. Files',
    `   On a machine with internet access run ./${MIRROR_FILES.script} (or ./${MIRROR_FILES.script} DIR). It puts https://HOST/PATH`,
    '   at HOST/PATH below this folder, keeps a file only when its sha256 is right, fetches nothing',
    '   that is already there and verified, and lists every failure at the end (exit 1).',
    m.mirror
      ? `   Then serve this folder over HTTP at ${m.mirror} (spec.mirror): the nodes ask for ${m.mirror.replace(/\/+$/, '')}/HOST/PATH.`
      : '   Then serve this folder over HTTP, set spec.mirror to its URL and compile again: the spec has no mirror yet, so its nodes fetch upstream.',
    '   Any static HTTP server does, e.g. python3 -m http.server --directory THIS-FOLDER PORT.',
    '',
    '2. The Kubernetes apt repository',
  ];
  if (m.apt.length === 0) {
    out.push('   Not needed: spec.kubernetes.install is binaries, so kubeadm, kubelet and kubectl are files of step 1.');
  } else {
    out.push(
      '   install: packages fetches kubeadm, kubelet and kubectl from the pkgs.k8s.io apt repository. An apt',
      '   repository (signed index files that change with every release, and the packages they name) is',
      `   not a list of files with fixed digests, so ${MIRROR_FILES.script} does not fetch it. Either mirror it with an`,
      '   apt mirroring tool (aptly, apt-mirror) so that this folder serves',
      ...m.apt.map((a) => `     ${a.path}   (${a.fetch.name}, from ${a.fetch.upstream})`),
      '   (a tool that re-signs it, like aptly, serves its own public key as that Release.key, and the',
      '   spec names the key in spec.kubernetes.packageSigningKey),',
      '   or, simpler for an offline lab, set spec.kubernetes.install: binaries: then they are plain',
      '   files checked by sha256 like the rest, and step 1 fetches them.',
    );
  }
  out.push('', '3. Container images');
  const platforms = m.images.platforms;
  out.push(
    `   ${MIRROR_FILES.images} lists the images picc knows exactly (${m.images.known.length}; ${cp} of them only for control planes),`,
    '   pinned by digest where picc pins one, else by tag:',
    ...m.images.known.map((i) => `     ${i.image}   (${i.pulledBy}, ${i.nodes})`),
  );
  if (m.images.unknown.length > 0) {
    out.push('   Not listed, because picc cannot know them exactly (it does not guess):');
    for (const u of m.images.unknown) out.push(`   - ${u.what}: ${u.why}.`, `     To find them: ${u.howToFind}`);
  }
  out.push(
    "   To load them: containerd's ctr, on a connected machine (any architecture), per platform",
    `   the cluster uses (${platforms.join(', ')}):`,
    ...platforms.flatMap((p) => {
      const tar = `images-${p.replace('/', '-')}.tar`;
      return [
        `     grep -v '^#' ${MIRROR_FILES.images} | while read -r image; do ctr images pull --platform ${p} "$image"; done`,
        `     ctr images export --platform ${p} ${tar} $(grep -v '^#' ${MIRROR_FILES.images})`,
      ];
    }),
    "   then on each node, once setup.sh has installed containerd (an offline setup.sh stops at the",
    '   kubeadm phase while an image is missing), import the archive of its platform and run setup.sh again:',
    "     ctr -n k8s.io images import images-linux-ARCH.tar",
    '   kubeadm and the kubelet use an image already present instead of pulling it. A registry on the LAN',
    "   with containerd's registry mirror configuration (hosts.toml) works too; picc does not write that.",
  );
  return out.join('\n') + '\n';
}
