// Remote memory and local cache settings from the command line (up, node, bench ycsb).

import type { TieredStateLimits } from '@flexchain/host';

export interface TieredSizes {
  remoteMemoryBytes?: number;
  localCacheBytes?: number;
  evictBelowBytes?: number;
}

/**
 * Tiered-store limits for the given sizes. The budget is rounded up to whole
 * slabs; eviction starts with an eighth of it left unless evictBelowBytes says otherwise.
 */
export function tieredStateFor(sizes: TieredSizes, slabBytes: number): Partial<TieredStateLimits> {
  const budget = sizes.remoteMemoryBytes === undefined ? undefined : Math.max(slabBytes, Math.ceil(sizes.remoteMemoryBytes / slabBytes) * slabBytes);
  const evictBelow = sizes.evictBelowBytes ?? (budget === undefined ? undefined : Math.floor(budget / 8));
  return {
    ...(budget === undefined ? {} : { memoryBudgetBytes: budget }),
    ...(evictBelow === undefined ? {} : { evictionFreeBytesMin: evictBelow }),
    ...(sizes.localCacheBytes === undefined ? {} : { localCacheBytesMax: sizes.localCacheBytes }),
  };
}
