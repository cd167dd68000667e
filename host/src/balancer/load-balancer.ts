// Dispatches proposals to the least-loaded cNode of a peer (DESIGN.md §3 step 2).
// Ties rotate, so an idle peer still spreads sequential requests over its cNodes.

import type { CNode } from '../peer/cnode';

let rotation = 0;

export function leastLoaded(cnodes: readonly CNode[]): CNode {
  const start = rotation++ % cnodes.length;
  let best = cnodes[start]!;
  for (let i = 1; i < cnodes.length; i++) {
    const candidate = cnodes[(start + i) % cnodes.length]!;
    if (candidate.inFlight < best.inFlight) best = candidate;
  }
  return best;
}
