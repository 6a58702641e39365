// The container images a cluster pulls, as far as picc can know them: kubeadm's own images
// for the Kubernetes release (data/kubeadm-images.json: what `kubeadm config images list`
// prints for each release), and the CNI's and kube-vip's images that picc pins (images.ts).
// What picc cannot know exactly — a release missing from the table, images an operator or
// a CLI chooses when it runs — is listed as unknown, with how to find it out; never guessed.

import tableJson from '../../data/kubeadm-images.json' with { type: 'json' };
import { byKey } from '../order.js';
import { IMAGES, imageString, type ImageRef } from './images.js';
import type { ClusterPlan } from './types.js';

interface KubeadmImageTable {
  versions: Record<string, { coredns: string; etcd: string; pause: string }>;
}
const table = tableJson as unknown as KubeadmImageTable;

/** kubeadm's default image repository (picc's kubeadm configuration does not change it). */
export const KUBEADM_REGISTRY = 'registry.k8s.io';

export interface ClusterImage {
  /** repository:tag, or repository:tag@digest when pinned by digest. */
  image: string;
  repository: string;
  tag: string;
  digest: string | null;
  /** Who pulls it: "kubeadm", "flannel", "kube-vip". */
  pulledBy: string;
  /** Which nodes need it: kubeadm runs some images on control planes only. */
  nodes: 'control planes' | 'every node';
}

export interface UnknownImages {
  what: string;
  why: string;
  /** How a person finds the list on a connected machine. */
  howToFind: string;
}

export interface ClusterImages {
  /** The platforms to fetch, linux/<arch> of every node. */
  platforms: string[];
  known: ClusterImage[];
  unknown: UnknownImages[];
}

export function clusterImages(plan: ClusterPlan): ClusterImages {
  const known: ClusterImage[] = [];
  const unknown: UnknownImages[] = [];
  const add = (ref: ImageRef, pulledBy: string, nodes: ClusterImage['nodes']) =>
    known.push({ image: imageString(ref), repository: ref.repository, tag: ref.tag, digest: ref.digest, pulledBy, nodes });

  const version = plan.kubernetes.version;
  const kubeadm = (name: string, tag: string, nodes: ClusterImage['nodes']) =>
    add({ repository: `${KUBEADM_REGISTRY}/${name}`, tag, digest: null, why: 'kubeadm' }, 'kubeadm', nodes);
  for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) kubeadm(name, `v${version}`, 'control planes');
  kubeadm('kube-proxy', `v${version}`, 'every node');
  const addons = table.versions[version];
  if (addons) {
    kubeadm('etcd', addons.etcd, 'control planes');
    // CoreDNS is a Deployment: the scheduler may put it on any node.
    kubeadm('coredns/coredns', addons.coredns, 'every node');
    kubeadm('pause', addons.pause, 'every node');
  } else {
    unknown.push({
      what: `kubeadm's etcd, CoreDNS and pause images for Kubernetes ${version}`,
      why: `picc's table of kubeadm's images (data/kubeadm-images.json) has no entry for ${version}`,
      howToFind: `kubeadm config images list --kubernetes-version v${version}`,
    });
  }

  const cni = plan.nodes.find((n) => n.cni !== null)?.cni ?? null;
  if (plan.kubernetes.cni === 'flannel') {
    add(IMAGES.flannel, 'flannel', 'every node');
    add(IMAGES.flannelCniPlugin, 'flannel', 'every node');
  } else if (cni?.kind === 'calico') {
    unknown.push({
      what: `calico ${cni.version}'s images`,
      why: "the Tigera operator's image is named in tigera-operator.yaml, and the operator chooses calico's own images when it runs",
      howToFind: `grep 'image:' in the mirrored tigera-operator.yaml for the operator; calico's documentation for an air-gapped install (private registry) lists the rest for ${cni.version}`,
    });
  } else if (cni?.kind === 'cilium') {
    unknown.push({
      what: "Cilium's images",
      why: `the cilium CLI ${cni.cli.version} chooses the Cilium version and its images when it installs`,
      howToFind: `the cilium CLI ${cni.cli.version} release notes name its default Cilium version; Cilium's documentation lists that version's images`,
    });
  }

  if (plan.nodes.some((n) => n.kubeVip !== null)) add(IMAGES.kubeVip, 'kube-vip', 'control planes');

  const platforms = [...new Set(plan.nodes.map((n) => `linux/${n.arch}`))].sort();
  return { platforms, known: known.sort(byKey((i) => i.image)), unknown };
}
