// A cNode's local memory (paper §4.1.3): the metadata cache (key -> remote
// address of its latest known version; LRU, bounded in entries; its cold end
// is what the eviction manager asks for) and the data cache (remote address ->
// record bytes; LRU, bounded in bytes; filled write-through).
// Maps keep insertion order, so "touch" is delete + set and the first entry is the coldest.

/** An LRU map that counts hits and misses; each cache bounds it its own way. */
abstract class LruCache<K, V> {
  protected readonly entries = new Map<K, V>();
  hits = 0;
  misses = 0;

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }
}

export class MetadataCache extends LruCache<string, number> {
  constructor(readonly entriesMax: number) {
    super();
  }

  set(key: string, address: number): void {
    this.entries.delete(key);
    this.entries.set(key, address);
    if (this.entries.size > this.entriesMax) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry pointing at one of `addresses` (a scan: for rare, batched frees). */
  dropAddresses(addresses: ReadonlySet<number>): void {
    for (const [key, address] of this.entries) if (addresses.has(address)) this.entries.delete(key);
  }

  /** Up to `count` least recently used keys. */
  coldest(count: number): string[] {
    const out: string[] = [];
    for (const key of this.entries.keys()) {
      if (out.length >= count) break;
      out.push(key);
    }
    return out;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** An LRU map bounded in bytes, each entry weighed by `sizeOf`; an entry larger than the whole bound is not kept. */
export class SizedLruCache<K, V> extends LruCache<K, V> {
  private bytes = 0;

  constructor(
    readonly bytesMax: number,
    private readonly sizeOf: (key: K, value: V) => number,
  ) {
    super();
  }

  set(key: K, value: V): void {
    this.delete(key);
    const size = this.sizeOf(key, value);
    if (size > this.bytesMax) return;
    this.entries.set(key, value);
    this.bytes += size;
    while (this.bytes > this.bytesMax) this.delete(this.entries.keys().next().value!);
  }

  delete(key: K): void {
    const value = this.entries.get(key);
    if (value === undefined) return;
    this.entries.delete(key);
    this.bytes -= this.sizeOf(key, value);
  }

  get usedBytes(): number {
    return this.bytes;
  }
}

export class DataCache extends SizedLruCache<number, Uint8Array> {
  constructor(bytesMax: number) {
    super(bytesMax, (_, record) => record.length);
  }
}
