// <out>/<cluster>/verify.sh: collects on a control plane, with kubectl, the API answers
// `picc verify` checks (the same paths as its https client), as one JSON document that
// `picc verify --answers` reads. The checks are not written again in shell: one place.

import type { ClusterPlan } from '../plan/types.js';
import { expectedFromPlan } from '../verify/expected.js';
import { apiPaths } from '../verify/paths.js';
import { PICC_VERSION } from '../version.js';
import { templates } from './env.js';

export function verifyScript(cluster: ClusterPlan): string {
  // The node that ran kubeadm init: the one control plane sure to exist first.
  const first = cluster.nodes.find((n) => n.joinKind === 'init') ?? cluster.nodes[0]!;
  return templates().render('verify.sh.njk', {
    cluster,
    picc: { version: PICC_VERSION },
    verify: { paths: apiPaths(expectedFromPlan(cluster)), controlPlane: { name: first.name, address: first.address }, server: cluster.adminKubeconfig.server },
  });
}
