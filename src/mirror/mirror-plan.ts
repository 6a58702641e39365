// What an offline mirror of a cluster holds, read off its plan: every fetch of every node
// (clusterFetches, the list `picc plan` shows and the scripts really make), split into the
// files a plain download can mirror (each checked by sha256) and the apt repository, which
// it cannot (an apt mirroring tool, or install: binaries, is the way); and the images.
// Pure: no I/O.

import { clusterImages, type ClusterImages } from '../plan/cluster-images.js';
import { clusterFetches, type ClusterFetch } from '../plan/downloads.js';
import type { ClusterPlan } from '../plan/types.js';

export interface MirrorFile {
  /** HOST/PATH: where the file sits below the mirror folder, and below the mirror URL. */
  path: string;
  sha256: string;
  fetch: ClusterFetch;
}

export interface MirrorApt {
  /** HOST/PATH of the repository (or its key) below the mirror folder. */
  path: string;
  fetch: ClusterFetch;
}

export interface MirrorPlan {
  cluster: string;
  /** spec.mirror, or null: the nodes fetch upstream until the spec names the mirror. */
  mirror: string | null;
  files: MirrorFile[];
  /** The Kubernetes apt repository and its key (install: packages); empty with binaries. */
  apt: MirrorApt[];
  images: ClusterImages;
}

export function mirrorPlan(plan: ClusterPlan): MirrorPlan {
  const files: MirrorFile[] = [];
  const apt: MirrorApt[] = [];
  for (const f of clusterFetches(plan)) {
    const path = mirrorPath(f.upstream);
    if ('sha256' in f.check) files.push({ path, sha256: f.check.sha256, fetch: f });
    else apt.push({ path, fetch: f });
  }
  return { cluster: plan.name, mirror: plan.mirror, files, apt, images: clusterImages(plan) };
}

/**
 * https://HOST/PATH → HOST/PATH, the spec's mirror layout. The path becomes a file name in
 * the download script, so one that could leave the mirror folder (.., an empty segment) or
 * carries a query or fragment is a bug in picc's catalog, not a file to write.
 */
export function mirrorPath(upstream: string): string {
  const m = /^https:\/\/([^/?#]+\/[^?#]*)$/.exec(upstream);
  if (!m) throw new Error(`not an https URL picc can mirror: ${upstream}`);
  const path = m[1]!;
  const segments = path.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..') || !/^[A-Za-z0-9._~:@+%=,/-]+$/.test(path)) {
    throw new Error(`the path of ${upstream} cannot be a file below the mirror folder`);
  }
  return path;
}
