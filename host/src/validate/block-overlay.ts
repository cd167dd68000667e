// Committed state plus the writes of the valid transactions validated so far in
// the current block. Sequential validation checks each transaction against it,
// so a transaction that read a key an earlier transaction of the same block
// wrote gets MVCC_READ_CONFLICT, exactly as with per-transaction commits.

import { compareUtf8, keyInRange, type RwSet, type Version, type VersionedEntry, type VersionedStateReader, type VersionedValue } from '@flexchain/sdk';

type Pending = { readonly value: Uint8Array; readonly version: Version } | { readonly deleted: true };

export class BlockOverlay implements VersionedStateReader {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly base: VersionedStateReader) {}

  async get(key: string): Promise<VersionedValue | undefined> {
    const p = this.pending.get(key);
    if (p) return 'deleted' in p ? undefined : p;
    return this.base.get(key);
  }

  range(startKey: string, endKey: string): AsyncIterable<VersionedEntry> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const merged = new Map<string, VersionedEntry>();
        for await (const entry of self.base.range(startKey, endKey)) merged.set(entry.key, entry);
        for (const [key, p] of self.pending) {
          if (!keyInRange(key, startKey, endKey)) continue;
          if ('deleted' in p) merged.delete(key);
          else merged.set(key, { key, ...p });
        }
        yield* [...merged.values()].sort((a, b) => compareUtf8(a.key, b.key));
      },
    };
  }

  apply(rwset: RwSet, version: Version): void {
    for (const w of rwset.writes) this.pending.set(w.key, w.isDelete ? { deleted: true } : { value: w.value, version });
  }
}
