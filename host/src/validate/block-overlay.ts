// The writes of the valid transactions validated so far in the current block,
// viewed over committed state. Each transaction is checked against such a view,
// so a transaction that read a key an earlier transaction of the same block
// wrote gets MVCC_READ_CONFLICT, exactly as with per-transaction commits.

import { compareUtf8, keyInRange, type RwSet, type Version, type VersionedEntry, type VersionedStateReader } from '@flexchain/sdk';

type Pending = { readonly value: Uint8Array; readonly version: Version } | { readonly deleted: true };

/** A pending write, as shipped to a validation thread. */
export type PendingEntry = readonly [key: string, pending: Pending];

export class BlockOverlay {
  private readonly pending: Map<string, Pending>;

  constructor(entries: readonly PendingEntry[] = []) {
    this.pending = new Map(entries);
  }

  /** The pending writes a transaction's V2 can see: its point reads and everything in its ranges. */
  entriesFor(rwset: Pick<RwSet, 'reads' | 'rangeQueries'>): PendingEntry[] {
    const out: PendingEntry[] = [];
    for (const { key } of rwset.reads) {
      const p = this.pending.get(key);
      if (p) out.push([key, p]);
    }
    if (rwset.rangeQueries.length === 0) return out;
    for (const [key, p] of this.pending) if (rwset.rangeQueries.some((q) => keyInRange(key, q.startKey, q.endKey))) out.push([key, p]);
    return out;
  }

  /** Whether a transaction of this block already wrote `key`. */
  has(key: string): boolean {
    return this.pending.has(key);
  }

  /** The block's pending writes over `base`, a reader of committed state (e.g. one with a transaction's reads prefetched). */
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
