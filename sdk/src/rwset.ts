// Read/write sets: what a simulated transaction read (with versions) and wrote.
//
// A version is the (blockNum, txNum) of the transaction that committed the value.
// A read of an absent key has no version. Range queries are recorded as complete
// scans of [startKey, endKey): every committed key seen with its version, so the
// validator can detect phantoms by scanning the same range again.
//
// The rw-set is what an endorsing cNode signs, so its encoding is canonical:
// reads and writes sorted by key (UTF-8 order), range queries in execution order.
// Byte layout: docs/rwset-format.md.

import { base64Decode, base64Encode, compareUtf8, copyBytes, utf8Decode, utf8Encode } from './bytes';
import { canonicalStringify } from './canonical-json';
import { RwSetMalformedError } from './errors';
import { keyInRange } from './keys';
import type { StateWrite } from './world-state';

export interface Version {
  readonly blockNum: number;
  readonly txNum: number;
}

export interface KVRead {
  readonly key: string;
  /** Absent when the key did not exist in committed state. */
  readonly version?: Version;
}

export interface KVWrite {
  readonly key: string;
  readonly isDelete: boolean;
  /** Empty for deletes. */
  readonly value: Uint8Array;
}

export interface RangeQueryInfo {
  /** Inclusive. */
  readonly startKey: string;
  /** Exclusive; empty means unbounded. */
  readonly endKey: string;
  /** Every committed key in [startKey, endKey) at simulation time, in UTF-8 order. */
  readonly reads: readonly KVRead[];
}

export interface RwSet {
  readonly reads: readonly KVRead[];
  readonly rangeQueries: readonly RangeQueryInfo[];
  readonly writes: readonly KVWrite[];
}

/** A write of an rw-set as a state change to commit. */
export function stateWriteOf(write: KVWrite): StateWrite {
  return write.isDelete ? { key: write.key, delete: true } : { key: write.key, value: write.value };
}

export function compareVersions(a: Version | undefined, b: Version | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 0 : 1) - (b === undefined ? 0 : 1);
  return a.blockNum - b.blockNum || a.txNum - b.txNum;
}

export function versionsEqual(a: Version | undefined, b: Version | undefined): boolean {
  return compareVersions(a, b) === 0;
}

export function formatVersion(version: Version | undefined): string {
  return version === undefined ? 'absent' : `(${version.blockNum},${version.txNum})`;
}

/**
 * Collects a transaction's reads and writes while it simulates.
 * Not safe for use by two transactions; one builder per simulation.
 */
export class RwSetBuilder {
  private readonly reads = new Map<string, KVRead>();
  private readonly writes = new Map<string, KVWrite>();
  private readonly rangeQueries: RangeQueryInfo[] = [];

  /** The transaction's own pending write of `key`, if any. */
  pendingWrite(key: string): KVWrite | undefined {
    return this.writes.get(key);
  }

  /** Pending writes (including deletes) in [startKey, endKey), in UTF-8 order. */
  pendingWritesInRange(startKey: string, endKey: string): KVWrite[] {
    const result: KVWrite[] = [];
    for (const write of this.writes.values()) {
      if (keyInRange(write.key, startKey, endKey)) result.push(write);
    }
    return result.sort((a, b) => compareUtf8(a.key, b.key));
  }

  /** Records a read of committed state. The first read of a key wins; all reads of one simulation see one snapshot. */
  addRead(key: string, version: Version | undefined): void {
    if (!this.reads.has(key)) this.reads.set(key, version === undefined ? { key } : { key, version });
  }

  addWrite(key: string, value: Uint8Array): void {
    this.writes.set(key, { key, isDelete: false, value: copyBytes(value) });
  }

  addDelete(key: string): void {
    this.writes.set(key, { key, isDelete: true, value: new Uint8Array(0) });
  }

  addRangeQuery(info: RangeQueryInfo): void {
    this.rangeQueries.push(info);
  }

  build(): RwSet {
    const byKey = (a: { key: string }, b: { key: string }) => compareUtf8(a.key, b.key);
    return {
      reads: [...this.reads.values()].sort(byKey),
      rangeQueries: [...this.rangeQueries],
      writes: [...this.writes.values()].sort(byKey),
    };
  }
}

/** Canonical bytes of an rw-set: the exact bytes an endorser signs. */
export function encodeRwSet(rwset: RwSet): Uint8Array {
  return utf8Encode(canonicalStringify(rwSetToJson(rwset)));
}

export function decodeRwSet(bytes: Uint8Array): RwSet {
  let json: unknown;
  try {
    json = JSON.parse(utf8Decode(bytes));
  } catch (err) {
    throw new RwSetMalformedError('Rw-set bytes are not JSON.', { cause: err });
  }
  return rwSetFromJson(json);
}

type ReadJson = { key: string; version?: [number, number] };

/** Plain-JSON form of an rw-set (values base64, versions as [blockNum, txNum]). */
export function rwSetToJson(rwset: RwSet): unknown {
  const read = (r: KVRead): ReadJson => (r.version ? { key: r.key, version: [r.version.blockNum, r.version.txNum] } : { key: r.key });
  return {
    reads: rwset.reads.map(read),
    rangeQueries: rwset.rangeQueries.map((q) => ({ startKey: q.startKey, endKey: q.endKey, reads: q.reads.map(read) })),
    writes: rwset.writes.map((w) => (w.isDelete ? { key: w.key, delete: true } : { key: w.key, value: base64Encode(w.value) })),
  };
}

export function rwSetFromJson(json: unknown): RwSet {
  const fail = (what: string): never => {
    throw new RwSetMalformedError(`Rw-set is malformed: ${what}.`, { hint: 'Rw-sets must be produced by encodeRwSet.' });
  };
  const obj = (v: unknown, what: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(`${what} is not an object`);
  const arr = (v: unknown, what: string): unknown[] => (Array.isArray(v) ? v : fail(`${what} is not an array`));
  const str = (v: unknown, what: string): string => (typeof v === 'string' ? v : fail(`${what} is not a string`));
  const read = (v: unknown, what: string): KVRead => {
    const r = obj(v, what);
    const key = str(r.key, `${what}.key`);
    if (r.version === undefined) return { key };
    const ver = arr(r.version, `${what}.version`);
    const [blockNum, txNum] = ver;
    if (ver.length !== 2 || !Number.isSafeInteger(blockNum) || !Number.isSafeInteger(txNum)) fail(`${what}.version is not [blockNum, txNum]`);
    return { key, version: { blockNum: blockNum as number, txNum: txNum as number } };
  };
  const root = obj(json, 'rw-set');
  return {
    reads: arr(root.reads, 'reads').map((r, i) => read(r, `reads[${i}]`)),
    rangeQueries: arr(root.rangeQueries, 'rangeQueries').map((q, i) => {
      const o = obj(q, `rangeQueries[${i}]`);
      return {
        startKey: str(o.startKey, `rangeQueries[${i}].startKey`),
        endKey: str(o.endKey, `rangeQueries[${i}].endKey`),
        reads: arr(o.reads, `rangeQueries[${i}].reads`).map((r, j) => read(r, `rangeQueries[${i}].reads[${j}]`)),
      };
    }),
    writes: arr(root.writes, 'writes').map((w, i) => {
      const o = obj(w, `writes[${i}]`);
      const key = str(o.key, `writes[${i}].key`);
      if (o.delete === true) return { key, isDelete: true, value: new Uint8Array(0) };
      const value = base64Decode(str(o.value, `writes[${i}].value`)) ?? fail(`writes[${i}].value is not base64`);
      return { key, isDelete: false, value };
    }),
  };
}
