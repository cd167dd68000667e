// In-memory versioned state: a sorted key array plus a map. Range scans take a
// snapshot of the range when they start, so commits during a scan are not seen,
// as with a LevelDB snapshot on the host. Inserts are O(n); this backs unit
// tests, not benchmarks.

import { compareUtf8 } from '../bytes';
import { keyInRange } from '../keys';
import type { Version } from '../rwset';
import type { StateWrite, VersionedEntry, VersionedStateStore, VersionedValue } from '../world-state';

export class MemoryVersionedStore implements VersionedStateStore {
  private keys: string[] = [];
  private entries = new Map<string, VersionedValue>();

  async get(key: string): Promise<VersionedValue | undefined> {
    return this.entries.get(key);
  }

  getSync(key: string): VersionedValue | undefined {
    return this.entries.get(key);
  }

  range(startKey: string, endKey: string): AsyncIterable<VersionedEntry> {
    const snapshot = this.scan(startKey, endKey);
    return {
      async *[Symbol.asyncIterator]() {
        yield* snapshot;
      },
    };
  }

  /** Entries in [startKey, endKey), UTF-8 order, as of now. */
  scan(startKey: string, endKey: string): VersionedEntry[] {
    const out: VersionedEntry[] = [];
    for (let i = this.lowerBound(startKey); i < this.keys.length; i++) {
      const key = this.keys[i]!;
      if (!keyInRange(key, startKey, endKey)) break;
      out.push({ key, ...this.entries.get(key)! });
    }
    return out;
  }

  async commit(batch: readonly { readonly write: StateWrite; readonly version: Version }[]): Promise<void> {
    this.apply(batch);
  }

  apply(batch: readonly { readonly write: StateWrite; readonly version: Version }[]): void {
    for (const { write, version } of batch) {
      const index = this.lowerBound(write.key);
      const exists = this.keys[index] === write.key;
      if ('delete' in write) {
        if (exists) {
          this.keys.splice(index, 1);
          this.entries.delete(write.key);
        }
      } else {
        if (!exists) this.keys.splice(index, 0, write.key);
        this.entries.set(write.key, { value: new Uint8Array(write.value), version });
      }
    }
  }

  get size(): number {
    return this.keys.length;
  }

  clone(): MemoryVersionedStore {
    const copy = new MemoryVersionedStore();
    copy.keys = [...this.keys];
    copy.entries = new Map(this.entries);
    return copy;
  }

  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareUtf8(this.keys[mid]!, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
