// setup.sh as a list of parts: the same bytes templates/setup.sh.njk renders, made piece by
// piece (its head, each shell library, each phase, main) in the order setup.sh.njk includes
// them. Why parts: a big cluster's setup.sh is a string of more than 64K UTF-16 units (the
// templates hold non-Latin-1 characters, and every node lists every node), which V8 puts in
// its large-object space, a costly allocation each time; the parts stay below that, and
// user-data, the digests and the writing all work part by part (render.ts, emit.ts).
// A unit test holds parts.join('') equal to setup.sh.njk's whole render.

import type { ClusterPlan, NodePlan } from '../plan/types.js';
import { PICC_VERSION } from '../version.js';
import { templates } from './env.js';

/** The shell libraries setup.sh.njk includes, in its order. */
const LIBRARIES = ['lib/core.sh', 'lib/setup-options.sh', 'lib/files.sh', 'lib/system.sh'];

export function setupScriptParts(cluster: ClusterPlan, node: NodePlan): string[] {
  const env = templates();
  const context = { cluster, node, picc: { version: PICC_VERSION } };
  // Each include line's own newline is trimmed (trimBlocks); the blank line after it stays.
  const parts = [env.render('setup/head.sh.njk', context)];
  LIBRARIES.forEach((lib, i) => parts.push(i === 0 ? env.render(lib, context) : `\n${env.render(lib, context)}`));
  parts.push('\n');
  for (const phase of node.phases) parts.push(env.render(`phases/${phase.id}.sh.njk`, { ...context, phase }), '\n');
  parts.push(env.render('setup/main.sh.njk', context));
  return parts;
}
