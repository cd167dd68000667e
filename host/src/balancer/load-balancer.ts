// Dispatches proposals to the least-loaded cNode of a peer (DESIGN.md §3 step 2).

import type { CNode } from '../peer/cnode';

export function leastLoaded(cnodes: readonly CNode[]): CNode {
  let best = cnodes[0]!;
  for (const cnode of cnodes) if (cnode.inFlight < best.inFlight) best = cnode;
  return best;
}
