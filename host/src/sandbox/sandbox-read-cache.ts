// What a sandbox process remembers of committed state: the point reads its
// transactions made, so a key read again is answered here instead of by a
// round trip to the cNode. Host code, outside every isolate: contracts see
// only the values, exactly as the cNode would have served them.
//
// Coherence: the cNode sends one invalidation per committed block, listing the
// keys the block wrote, once those writes are visible to its own reads and
// before anyone is told the block committed. The IPC channel is FIFO, so a
// simulation that starts after a client saw its transaction commit finds the
// keys gone and reads them afresh. A reply is kept only if no invalidation was
// sent while its read was under way (the cNode tags each reply with how many
// it had sent when the read began), so a value read just before a commit
// never outlives it. A stale read cannot commit anyway: MVCC validation
// refuses it; the cache only must not make such reads more likely than the
// cNode's own caches do.

import type { VersionedValue } from '@flexchain/sdk';
import { SizedLruCache } from '../state/local-cache';

/** Map, key and object overhead of one cached read, in bytes: an estimate that keeps the bound honest for tiny values. */
const ENTRY_OVERHEAD_BYTES = 100;

/** One key of one contract's namespace, as the cache and its invalidations name it. */
export const readCacheKey = (contract: string, key: string): string => `${contract}\u0000${key}`;

interface CachedRead {
  /** Undefined: the key does not exist (also worth remembering). */
  readonly value: VersionedValue | undefined;
}

export class SandboxReadCache {
  private readonly reads: SizedLruCache<string, CachedRead>;
  /** Invalidation messages applied; compared with the count a reply carries. */
  private invalidations = 0;

  constructor(bytesMax: number) {
    // Keys are UTF-16 in memory, two bytes a character.
    this.reads = new SizedLruCache(bytesMax, (key, read) => 2 * key.length + (read.value?.value.length ?? 0) + ENTRY_OVERHEAD_BYTES);
  }

  /** The cached read of `key` in `contract`'s namespace, or undefined if there is none. */
  lookup(contract: string, key: string): CachedRead | undefined {
    return this.reads.get(readCacheKey(contract, key));
  }

  /** A read the cNode answered; `invalidationsAtStart` is how many invalidations it had sent when the read began. */
  fill(contract: string, key: string, value: VersionedValue | undefined, invalidationsAtStart: number): void {
    if (invalidationsAtStart === this.invalidations) this.reads.set(readCacheKey(contract, key), { value });
  }

  /** A block committed writes to these keys (readCacheKey). */
  invalidate(keys: readonly string[]): void {
    this.invalidations++;
    for (const key of keys) this.reads.delete(key);
  }

  get hits(): number {
    return this.reads.hits;
  }

  get misses(): number {
    return this.reads.misses;
  }
}
