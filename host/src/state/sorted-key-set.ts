// An ordered set of keys (UTF-8 byte order) for range scans over the keys held
// in remote memory, whose hash table has no order. Keys are kept in sorted
// chunks of at most CHUNK_KEYS_MAX, so inserts and deletes move few entries
// even with hundreds of thousands of keys. Not safe for concurrent mutation.

import { compareUtf8, keyInRange } from '@flexchain/sdk';

/** Chunk size: splitting at 512 keeps both the chunk search and the in-chunk shift short. */
const CHUNK_KEYS_MAX = 512;

export class SortedKeySet {
  private chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  has(key: string): boolean {
    const chunk = this.chunks[this.chunkFor(key)];
    return chunk !== undefined && chunk[lowerBound(chunk, key)] === key;
  }

  add(key: string): boolean {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return true;
    }
    const c = this.chunkFor(key);
    const chunk = this.chunks[c]!;
    const i = lowerBound(chunk, key);
    if (chunk[i] === key) return false;
    chunk.splice(i, 0, key);
    this.count++;
    if (chunk.length > CHUNK_KEYS_MAX) this.chunks.splice(c, 1, chunk.slice(0, chunk.length >> 1), chunk.slice(chunk.length >> 1));
    return true;
  }

  delete(key: string): boolean {
    const c = this.chunkFor(key);
    const chunk = this.chunks[c];
    if (!chunk) return false;
    const i = lowerBound(chunk, key);
    if (chunk[i] !== key) return false;
    chunk.splice(i, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
    return true;
  }

  /** Up to `limit` keys in [startKey, endKey) in order; endKey '' = unbounded. */
  range(startKey: string, endKey: string, limit = Number.MAX_SAFE_INTEGER): string[] {
    const out: string[] = [];
    const first = this.chunkFor(startKey);
    for (let c = first; c < this.chunks.length && out.length < limit; c++) {
      const chunk = this.chunks[c]!;
      for (let i = c === first ? lowerBound(chunk, startKey) : 0; i < chunk.length && out.length < limit; i++) {
        const key = chunk[i]!;
        if (!keyInRange(key, startKey, endKey)) return out;
        out.push(key);
      }
    }
    return out;
  }

  /** Index of the chunk that holds, or would hold, `key`. */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (compareUtf8(this.chunks[mid]![0]!, key) <= 0) lo = mid;
      else hi = mid - 1;
    }
    return Math.max(0, lo);
  }
}

function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareUtf8(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
