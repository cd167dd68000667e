// Committed world state in LevelDB, one namespace per contract.
//
// Key:   <contract> 0x00 <key as UTF-8>   (LevelDB orders bytes, so ranges are UTF-8 ordered)
// Value: blockNum (u32 high, u32 low) | txNum (u32) | value bytes, all big-endian.
//
// This is the "plain versioned store" the tiered store will replace: it carries
// versions, ranges and batched commits behind the VersionedStateStore interface.

import { utf8Decode, utf8Encode, type StateWrite, type Version, type VersionedEntry, type VersionedStateReader, type VersionedStateStore, type VersionedValue } from '@flexchain/sdk';
import type { BatchOp, ByteSublevel } from '../storage/ledger-db';
import type { StateAccess } from './state-access';
import { readVersion, VERSION_BYTES, writeVersion } from './version-bytes';


export function encodeStateValue(value: Uint8Array, version: Version): Uint8Array {
  const out = new Uint8Array(VERSION_BYTES + value.length);
  writeVersion(new DataView(out.buffer), 0, version);
  out.set(value, VERSION_BYTES);
  return out;
}

export function decodeStateValue(stored: Uint8Array): VersionedValue {
  return { version: readVersion(new DataView(stored.buffer, stored.byteOffset, stored.byteLength), 0), value: stored.subarray(VERSION_BYTES) };
}

export class NamespaceState implements VersionedStateStore, StateAccess {
  private readonly prefix: Uint8Array;
  private readonly prefixEnd: Uint8Array;

  constructor(
    private readonly sublevel: ByteSublevel,
    readonly contract: string,
  ) {
    this.prefix = utf8Encode(`${contract}\u0000`);
    this.prefixEnd = utf8Encode(`${contract}\u0001`);
  }

  storageKey(key: string): Uint8Array {
    const k = utf8Encode(key);
    const out = new Uint8Array(this.prefix.length + k.length);
    out.set(this.prefix);
    out.set(k, this.prefix.length);
    return out;
  }

  async get(key: string): Promise<VersionedValue | undefined> {
    const stored = await this.sublevel.get(this.storageKey(key));
    return stored === undefined ? undefined : decodeStateValue(stored);
  }

  async getMany(keys: readonly string[]): Promise<(VersionedValue | undefined)[]> {
    const stored = await this.sublevel.getMany(keys.map((k) => this.storageKey(k)));
    return stored.map((s) => (s === undefined ? undefined : decodeStateValue(s)));
  }

  /** A reader that answers these keys from one getMany and everything else from LevelDB. */
  async prefetch(keys: readonly string[]): Promise<VersionedStateReader> {
    const values = await this.getMany(keys);
    const cached = new Map(keys.map((k, i) => [k, values[i]]));
    return {
      get: async (key) => (cached.has(key) ? cached.get(key) : this.get(key)),
      range: (startKey, endKey) => this.range(startKey, endKey),
    };
  }

  async rangePage(startKey: string, endKey: string, limit: number): Promise<VersionedEntry[]> {
    const entries: VersionedEntry[] = [];
    const iterator = this.sublevel.iterator({ gte: this.storageKey(startKey), lt: endKey === '' ? this.prefixEnd : this.storageKey(endKey), limit });
    try {
      for await (const [k, v] of iterator) entries.push({ key: utf8Decode(k.subarray(this.prefix.length)), ...decodeStateValue(v) });
    } finally {
      await iterator.close();
    }
    return entries;
  }

  range(startKey: string, endKey: string): AsyncIterable<VersionedEntry> {
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        // One iterator holds one LevelDB snapshot, so the whole scan sees one state.
        const iterator = self.sublevel.iterator({ gte: self.storageKey(startKey), lt: endKey === '' ? self.prefixEnd : self.storageKey(endKey) });
        try {
          for await (const [k, v] of iterator) yield { key: utf8Decode(k.subarray(self.prefix.length)), ...decodeStateValue(v) };
        } finally {
          await iterator.close();
        }
      },
    };
  }

  /** Batch operations that apply these writes; the caller commits them with the block. */
  writeOps(writes: readonly { readonly write: StateWrite; readonly version: Version }[]): BatchOp[] {
    return writes.map(({ write, version }) =>
      'delete' in write
        ? { type: 'del' as const, sublevel: this.sublevel, key: this.storageKey(write.key) }
        : { type: 'put' as const, sublevel: this.sublevel, key: this.storageKey(write.key), value: encodeStateValue(write.value, version) },
    );
  }

  async commit(batch: readonly { readonly write: StateWrite; readonly version: Version }[]): Promise<void> {
    await this.sublevel.batch(
      this.writeOps(batch).map((op) => (op.type === 'put' ? { type: 'put' as const, key: op.key, value: op.value } : { type: 'del' as const, key: op.key })),
    );
  }
}
