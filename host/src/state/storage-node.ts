// The storage node (sNode) side of the tiered world state: records that are
// not in remote memory (evicted, or written before a memory failure) in LevelDB.
//
// Key:   the full state key (<contract> 0x00 <key>, as in remote memory), UTF-8
// Value: flags (u8, bit 1 tombstone) | blockNum (u32 high, u32 low) | txNum (u32) | value
//
// Writes keep the newer version when two sources race (eviction vs block
// materialisation), so a stale version never overwrites a newer one.

import { compareVersions, utf8Decode, utf8Encode, type Version } from '@flexchain/sdk';
import type { ByteSublevel } from '../storage/ledger-db';
import { readVersion, VERSION_BYTES, writeVersion } from './version-bytes';

const FLAG_TOMBSTONE = 0b10;
const VERSION_OFFSET = 1;
const HEADER_BYTES = VERSION_OFFSET + VERSION_BYTES;

export interface StoredRecord {
  readonly key: string;
  readonly version: Version;
  /** Undefined for a delete (tombstone). */
  readonly value: Uint8Array | undefined;
}

export function encodeStored(version: Version, value: Uint8Array | undefined): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + (value?.length ?? 0));
  const view = new DataView(out.buffer);
  view.setUint8(0, value === undefined ? FLAG_TOMBSTONE : 0);
  writeVersion(view, VERSION_OFFSET, version);
  if (value) out.set(value, HEADER_BYTES);
  return out;
}

export function decodeStored(key: string, bytes: Uint8Array): StoredRecord {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { key, version: readVersion(view, VERSION_OFFSET), value: view.getUint8(0) & FLAG_TOMBSTONE ? undefined : bytes.slice(HEADER_BYTES) };
}

const putOp = (r: StoredRecord) => ({ type: 'put' as const, key: utf8Encode(r.key), value: encodeStored(r.version, r.value) });

/** A record's put into `sublevel`, for a batch across sublevels (LedgerDb.write). */
export const storedPutOp = (sublevel: ByteSublevel, r: StoredRecord) => ({ ...putOp(r), sublevel });

export class StorageNode {
  reads = 0;

  constructor(private readonly sublevel: ByteSublevel) {}

  async get(key: string): Promise<StoredRecord | undefined> {
    this.reads++;
    const bytes = await this.sublevel.get(utf8Encode(key));
    return bytes === undefined ? undefined : decodeStored(key, bytes);
  }

  async getMany(keys: readonly string[]): Promise<(StoredRecord | undefined)[]> {
    this.reads += keys.length;
    const found = await this.sublevel.getMany(keys.map((k) => utf8Encode(k)));
    return found.map((bytes, i) => (bytes === undefined ? undefined : decodeStored(keys[i]!, bytes)));
  }

  /** Records (tombstones included) in [startKey, endKey), UTF-8 order; endKey '' = unbounded. */
  async *range(startKey: string, endKey: string): AsyncGenerator<StoredRecord> {
    const iterator = this.sublevel.iterator({ gte: utf8Encode(startKey), ...(endKey === '' ? {} : { lt: utf8Encode(endKey) }) });
    try {
      for await (const [k, v] of iterator) {
        this.reads++;
        const key = utf8Decode(k);
        yield decodeStored(key, v);
      }
    } finally {
      await iterator.close();
    }
  }

  /** Writes the records as they are (the last one of a key wins). */
  async putAll(records: readonly StoredRecord[]): Promise<void> {
    if (records.length > 0) await this.sublevel.batch(records.map(putOp));
  }

  /** Eviction straight to storage (no materialiser): keep the newest version. */
  persistEvicted(records: readonly StoredRecord[]): Promise<void> {
    return this.putIfNewer(records);
  }

  /** Writes each record unless storage already holds a newer version of its key. */
  async putIfNewer(records: readonly StoredRecord[]): Promise<void> {
    await this.putAll(await this.newerOnly(records));
  }

  /** The newest record of each key, unless storage already holds a newer version of it. */
  async newerOnly(records: readonly StoredRecord[]): Promise<StoredRecord[]> {
    if (records.length === 0) return [];
    const newest = new Map<string, StoredRecord>();
    for (const r of records) {
      const seen = newest.get(r.key);
      if (!seen || compareVersions(r.version, seen.version) > 0) newest.set(r.key, r);
    }
    const unique = [...newest.values()];
    const current = await this.getMany(unique.map((r) => r.key));
    return unique.filter((r, i) => current[i] === undefined || compareVersions(r.version, current[i]!.version) > 0);
  }
}
