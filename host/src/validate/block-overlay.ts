// Committed state plus the writes of the valid transactions validated so far in
// the current block. Sequential validation checks each transaction against it,
// so a transaction that read a key an earlier transaction of the same block
// wrote gets MVCC_READ_CONFLICT, exactly as with per-transaction commits.

import { compareUtf8, keyInRange, type RwSet, type Version, type VersionedEntry, type VersionedStateReader, type VersionedValue } from '@flexchain/sdk';

type Pending = { readonly value: Uint8Array; readonly version: Version } | { readonly deleted: true };

export class BlockOverlay implements VersionedStateReader {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly base: VersionedStateReader) {}

  get(key: string): Promise<VersionedValue | undefined> {
    return this.view(this.base).get(key);
  }

  range(startKey: string, endKey: string): AsyncIterable<VersionedEntry> {
    return this.view(this.base).range(startKey, endKey);
  }

  /** Whether a transaction of this block already wrote `key`. */
  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** The block's pending writes over another reader of the same committed state (e.g. one with a transaction's reads prefetched). */
  view(base: VersionedStateReader): VersionedStateReader {
    const pending = this.pending;
    return {
      get: async (key) => {
        const p = pending.get(key);
        if (p) return 'deleted' in p ? undefined : p;
        return base.get(key);
      },
      range: (startKey, endKey) => mergedRange(base, pending, startKey, endKey),
    };
  }

  apply(rwset: RwSet, version: Version): void {
    for (const w of rwset.writes) this.pending.set(w.key, w.isDelete ? { deleted: true } : { value: w.value, version });
  }
}

function mergedRange(base: VersionedStateReader, pending: ReadonlyMap<string, Pending>, startKey: string, endKey: string): AsyncIterable<VersionedEntry> {
  return {
    async *[Symbol.asyncIterator]() {
      const merged = new Map<string, VersionedEntry>();
      for await (const entry of base.range(startKey, endKey)) merged.set(entry.key, entry);
      for (const [key, p] of pending) {
        if (!keyInRange(key, startKey, endKey)) continue;
        if ('deleted' in p) merged.delete(key);
        else merged.set(key, { key, ...p });
      }
      yield* [...merged.values()].sort((a, b) => compareUtf8(a.key, b.key));
    },
  };
}
