// Remote memory and local cache settings from the command line (up, node, bench ycsb).

import type { TieredStateLimits } from '@flexchain/host';
import { parseSize } from '../ui/sizes';

export interface TieredSizes {
  remoteMemoryBytes?: number;
  localCacheBytes?: number;
  evictBelowBytes?: number;
}

/** The sizes given by --remote-memory, --local-cache and --evict-below. */
export function tieredSizesOf(flags: { remoteMemory?: string; localCache?: string; evictBelow?: string }): TieredSizes {
  return {
    ...(flags.remoteMemory === undefined ? {} : { remoteMemoryBytes: parseSize(flags.remoteMemory, '--remote-memory') }),
    ...(flags.localCache === undefined ? {} : { localCacheBytes: parseSize(flags.localCache, '--local-cache') }),
    ...(flags.evictBelow === undefined ? {} : { evictBelowBytes: parseSize(flags.evictBelow, '--evict-below') }),
  };
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
