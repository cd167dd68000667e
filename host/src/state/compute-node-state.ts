// A cNode's view of the tiered world state: its local caches and the paper's
// read and write procedures (§4.2) against remote memory, falling back to
// storage for keys not in memory.
//
// Read:  metadata cache -> address manager (lookup) -> storage. With an
//        address: data cache -> one-sided read; an invalid record (being
//        evicted) means back off and retry; walk the version chain to the
//        latest; update both caches.
// Write: allocate -> write the record -> bookkeeping links it into its chain
//        -> invalidate the other cNodes; committed once all have acknowledged.

import { FlexChainError, type Version } from '@flexchain/sdk';
import { DataCache, MetadataCache } from './local-cache';
import { RemoteAddressInvalidError } from './remote-memory/memory-node';
import { decodeRecord, encodeRecord, NULL_ADDRESS, type MemoryRecord } from './remote-memory/record-layout';
import type { RemoteMemory } from './remote-memory/remote-memory';
import type { StorageNode, StoredRecord } from './storage-node';

export class MemoryBudgetExhaustedError extends FlexChainError {
  override name = 'MemoryBudgetExhaustedError';
}

export class RemoteReadFailedError extends FlexChainError {
  override name = 'RemoteReadFailedError';
}

export class RemoteWriteFailedError extends FlexChainError {
  override name = 'RemoteWriteFailedError';
}

export interface ComputeNodeLimits {
  /** Data cache size per cNode, in bytes. */
  readonly localCacheBytesMax: number;
  /** Metadata cache size per cNode, in keys. */
  readonly metadataEntriesMax: number;
  /** Attempts of the read procedure before it gives up. */
  readonly readRetriesMax: number;
  /** First wait after finding a record being evicted, in ms; it doubles on each retry up to readBackoffMaxMs. */
  readonly readBackoffMs: number;
  /** Longest wait between read retries, in ms. */
  readonly readBackoffMaxMs: number;
  /** Attempts to find memory for a write, each after an eviction round. */
  readonly writeAllocateRetriesMax: number;
  /** Copy records read from storage into remote memory, while memory is not short. */
  readonly promoteStorageReads: boolean;
}

/** A cNode whose caches a write must invalidate; one in another thread acknowledges asynchronously. */
export interface CacheReplica {
  invalidate(key: string, address: number): void | Promise<void>;
}

/** What a cNode needs from its peer's store: the other cNodes, eviction and storage. */
export interface ComputeNodePeers {
  readonly storage: Pick<StorageNode, 'get'>;
  /** Every cNode of the peer, this one included. */
  cnodes(): readonly CacheReplica[];
  /** Runs an eviction round to make room; resolves with the keys evicted. */
  makeRoom(): Promise<number>;
  memoryShort(): boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ComputeNodeState {
  meta: MetadataCache;
  data: DataCache;
  memoryReads = 0;
  storageReads = 0;
  retries = 0;

  constructor(
    readonly name: string,
    private remote: RemoteMemory,
    private readonly peers: ComputeNodePeers,
    private readonly limits: ComputeNodeLimits,
  ) {
    this.meta = new MetadataCache(limits.metadataEntriesMax);
    this.data = new DataCache(limits.localCacheBytesMax);
  }

  /** Starts over against a new memory node: everything cached pointed into the old one. */
  reset(remote: RemoteMemory): void {
    this.remote = remote;
    this.meta = new MetadataCache(this.limits.metadataEntriesMax);
    this.data = new DataCache(this.limits.localCacheBytesMax);
  }

  /** The latest committed record of `key` (value undefined for a delete), or undefined if it never existed. */
  async read(key: string): Promise<StoredRecord | undefined> {
    for (let attempt = 0; attempt < this.limits.readRetriesMax; attempt++) {
      const address = await this.locate(key);
      if (address === undefined) return this.readFromStorage(key);
      const outcome = await this.readChain(key, address);
      if (outcome === 'retry') {
        this.retries++;
        this.meta.delete(key);
        continue;
      }
      if (outcome === 'evicting') {
        this.retries++;
        this.meta.delete(key);
        await sleep(Math.min(this.limits.readBackoffMaxMs, this.limits.readBackoffMs * 2 ** attempt));
        continue;
      }
      this.memoryReads++;
      return { key, version: outcome.version, value: outcome.value };
    }
    throw new RemoteReadFailedError(`Reading ${JSON.stringify(key)} from remote memory failed ${this.limits.readRetriesMax} times.`, { hint: 'The memory node may be overloaded or evicting constantly; raise memoryBudgetBytes.' });
  }

  /** Writes a new latest version of `key` (value undefined deletes it). Resolves once every cNode has seen it. */
  async write(key: string, version: Version, value: Uint8Array | undefined): Promise<void> {
    const record = encodeRecord(key, version, value);
    const address = await this.allocate(record.length);
    await this.remote.write(address, record);
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.remote.link(key, address);
      if (outcome.linked) break;
      // The key is being evicted; once that finishes, linking creates it afresh. An eviction never
      // holds a key this long unless it is stuck, and then the commit fails rather than waits forever.
      if (attempt + 1 >= this.limits.readRetriesMax) {
        await this.remote.release(address, record.length).catch(() => undefined);
        throw new RemoteWriteFailedError(`Linking ${JSON.stringify(key.slice(0, 64))} into remote memory found it locked by eviction ${this.limits.readRetriesMax} times.`, { hint: 'An eviction round may be stuck; check the memory node, or restart the peer.' });
      }
      await sleep(Math.min(this.limits.readBackoffMaxMs, this.limits.readBackoffMs * 2 ** attempt));
    }
    this.data.set(address, record);
    this.meta.set(key, address);
    const acks: Promise<void>[] = [];
    for (const other of this.peers.cnodes()) {
      const ack = other === this ? undefined : other.invalidate(key, address);
      if (ack) acks.push(ack);
    }
    await Promise.all(acks);
  }

  /** Another cNode wrote `key` at `address`: point our metadata there so we never read a stale version. */
  invalidate(key: string, address: number): void {
    this.data.delete(address);
    this.meta.set(key, address);
  }

  /** The mNode freed these buffers; cached copies of them must go before the buffers are reused. */
  forget(addresses: readonly number[]): void {
    for (const address of addresses) this.data.delete(address);
  }

  /**
   * forget(), and the cached addresses of these buffers too: a cNode in another
   * thread reads the slabs directly, so it must never hold the address of a
   * buffer that may be rewritten under it.
   */
  forgetAddresses(addresses: readonly number[]): void {
    this.forget(addresses);
    this.meta.dropAddresses(new Set(addresses));
  }

  /** The eviction manager moved these keys to storage. */
  evicted(keys: readonly string[]): void {
    for (const key of keys) this.meta.delete(key);
  }

  /** Remote address of the latest version of `key` if it is in memory (metadata cache, then address manager). */
  async locate(key: string): Promise<number | undefined> {
    return this.meta.get(key) ?? (await this.remote.lookup(key));
  }

  /** Keys held in remote memory in [startKey, endKey), via the address manager. */
  memoryKeys(startKey: string, endKey: string, limit: number): Promise<string[]> {
    return this.remote.keys(startKey, endKey, limit);
  }

  coldKeys(count: number): string[] {
    return this.meta.coldest(count);
  }

  private async readChain(key: string, start: number): Promise<MemoryRecord | 'retry' | 'evicting'> {
    let address = start;
    for (;;) {
      let bytes = this.data.get(address);
      if (bytes === undefined) {
        try {
          bytes = await this.remote.read(address);
        } catch (err) {
          if (err instanceof RemoteAddressInvalidError) return 'retry';
          throw err;
        }
      }
      const record = decodeRecord(bytes);
      // The buffer was freed and reused for another key: our address was stale.
      if (record.key !== key) {
        this.data.delete(address);
        return 'retry';
      }
      if (!record.valid) {
        this.data.delete(address);
        return 'evicting';
      }
      if (record.next === NULL_ADDRESS) {
        this.data.set(address, bytes);
        this.meta.set(key, address);
        return record;
      }
      // A newer version exists: cached copies of this one are stale from now on.
      this.data.delete(address);
      address = record.next;
    }
  }

  private async readFromStorage(key: string): Promise<StoredRecord | undefined> {
    this.storageReads++;
    const stored = await this.peers.storage.get(key);
    if (stored?.value !== undefined && this.limits.promoteStorageReads && !this.peers.memoryShort()) await this.promote(stored);
    return stored;
  }

  /** Copies a record read from storage into memory, unless a version got there first. */
  private async promote(stored: StoredRecord): Promise<void> {
    const record = encodeRecord(stored.key, stored.version, stored.value);
    const address = await this.remote.allocate(record.length);
    if (address === undefined) return;
    await this.remote.write(address, record);
    const outcome = await this.remote.link(stored.key, address, { onlyIfAbsent: true });
    if (!outcome.linked) return this.remote.release(address, record.length);
    this.data.set(address, record);
    this.meta.set(stored.key, address);
  }

  private async allocate(bytes: number): Promise<number> {
    for (let attempt = 0; attempt <= this.limits.writeAllocateRetriesMax; attempt++) {
      const address = await this.remote.allocate(bytes);
      if (address !== undefined) {
        if (this.peers.memoryShort()) void this.peers.makeRoom().catch(() => undefined);
        return address;
      }
      await this.peers.makeRoom();
    }
    throw new MemoryBudgetExhaustedError(`No remote memory for a ${bytes}-byte record after ${this.limits.writeAllocateRetriesMax} eviction rounds.`, { hint: 'Raise memoryBudgetBytes, or lower evictionFreeBytesMin so eviction starts earlier.' });
  }
}
