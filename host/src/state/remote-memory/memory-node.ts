// A memory node (mNode) serving one peer's remote memory pool (paper §4.1.1).
//
// Data plane: slabs of slabBytes, each a SharedArrayBuffer so cNode worker
// threads can read and write records directly (one-sided). Control plane: the
// hash table key -> latest address, an ordered key index for range scans,
// the space manager, the bookkeeping agent (link), per-key eviction locks and a
// garbage list of superseded versions.
//
// Single-threaded: every control-plane call runs to completion. Invariants:
// a key in the table points at a valid record of that key whose next is null;
// a locked key is being evicted and cannot be linked; a freed buffer is reused
// only after every free listener has let go of it (cNodes in other threads
// acknowledge asynchronously; until then the buffer counts as used).

import { FlexChainError } from '@flexchain/sdk';
import { copyRecord, encodedLength, getNext, NULL_ADDRESS, setNext, setValid } from './record-layout';
import type { FreeListener, MemoryControl, MemoryStats, MemoryThreadAccess } from './memory-control';
import type { LinkOutcome } from './remote-memory';
import { SortedKeySet } from '../sorted-key-set';
import { SpaceManager, type SpaceLimits } from './space-manager';

export class RemoteAddressInvalidError extends FlexChainError {
  override name = 'RemoteAddressInvalidError';
}

export interface MemoryNodeLimits extends SpaceLimits {
  /** Superseded versions are freed once this many bytes of them have piled up. */
  readonly gcThresholdBytes: number;
}

interface FreedBuffer {
  readonly address: number;
  readonly bytes: number;
}

export interface EvictionCandidate {
  readonly key: string;
  readonly address: number;
  /** The latest record's bytes, to flush to storage. */
  readonly record: Uint8Array;
}

export class MemoryNode implements MemoryControl {
  private slabs: Uint8Array[] = [];
  private space: SpaceManager;
  private table = new Map<string, number>();
  private index = new SortedKeySet();
  private locked = new Set<string>();
  private garbage: FreedBuffer[] = [];
  private readonly freeListeners: FreeListener[] = [];
  private garbageBytes = 0;
  /** Bumped by reset(): buffers freed before it belong to the old pool and never return to the new one. */
  private generation = 0;
  evictedKeys = 0;
  collectedVersions = 0;

  constructor(readonly limits: MemoryNodeLimits) {
    this.space = new SpaceManager(limits);
  }

  // --- data plane (one-sided) ---

  async read(address: number): Promise<Uint8Array> {
    const [slab, offset] = this.locate(address);
    return copyRecord(slab, offset);
  }

  async write(address: number, record: Uint8Array): Promise<void> {
    const [slab, offset] = this.locate(address);
    if (offset + record.length > slab.length) throw new RemoteAddressInvalidError(`A ${record.length}-byte record does not fit at ${address}.`);
    slab.set(record, offset);
  }

  // --- control plane (two-sided) ---

  async allocate(bytes: number): Promise<number | undefined> {
    const address = this.space.allocate(bytes, (slabIndex) => {
      this.slabs[slabIndex] = new Uint8Array(new SharedArrayBuffer(this.limits.slabBytes));
    });
    if (address === undefined && this.garbage.length > 0) {
      this.collectGarbageNow();
      return this.allocate(bytes);
    }
    return address;
  }

  async release(address: number, bytes: number): Promise<void> {
    this.reclaim([{ address, bytes }]);
  }

  /**
   * Tells `listener` which buffers were freed, before they can be reused, so
   * cNodes drop cached copies: a reused buffer must never be served from a
   * cache under its old contents.
   */
  onFree(listener: FreeListener): void {
    this.freeListeners.push(listener);
  }

  threadAccess(): MemoryThreadAccess {
    return { kind: 'shared', slabBytes: this.limits.slabBytes };
  }

  /** The slabs' shared buffers, for cNode threads' one-sided reads and writes. */
  sharedSlabs(): SharedArrayBuffer[] {
    return this.slabs.map((slab) => slab.buffer as SharedArrayBuffer);
  }

  async lookup(key: string): Promise<number | undefined> {
    return this.table.get(key);
  }

  async link(key: string, address: number, options: { onlyIfAbsent?: boolean } = {}): Promise<LinkOutcome> {
    if (this.locked.has(key)) return { linked: false, reason: 'locked' };
    const previous = this.table.get(key);
    if (previous !== undefined && options.onlyIfAbsent) return { linked: false, reason: 'present' };
    if (previous !== undefined) {
      const [slab, offset] = this.locate(previous);
      setNext(slab, offset, address);
      this.retire(previous);
    } else this.index.add(key);
    this.table.set(key, address);
    return { linked: true, previous };
  }

  async keys(startKey: string, endKey: string, limit: number): Promise<string[]> {
    return this.index.range(startKey, endKey, limit);
  }

  // --- eviction manager support ---

  /**
   * Locks the keys still in memory, clears the valid flag of their latest
   * record (readers back off) and returns those records for flushing: at
   * most recordBytesMax bytes of them (one frame over TCP), at least one.
   */
  async beginEviction(keys: Iterable<string>, recordBytesMax = Number.POSITIVE_INFINITY): Promise<EvictionCandidate[]> {
    const out: EvictionCandidate[] = [];
    let recordBytes = 0;
    for (const key of keys) {
      const address = this.table.get(key);
      if (address === undefined || this.locked.has(key)) continue;
      const [slab, offset] = this.locate(address);
      // Past the bound the rest stay in memory for a later round; the first always goes, so a round makes progress.
      const bytes = encodedLength(slab, offset);
      if (out.length > 0 && recordBytes + bytes > recordBytesMax) break;
      recordBytes += bytes;
      this.locked.add(key);
      setValid(slab, offset, false);
      const record = copyRecord(slab, offset);
      setValid(record, 0, true);
      out.push({ key, address, record });
    }
    return out;
  }

  /** After the records are persisted: drop the keys, free their buffers, unlock. */
  async completeEviction(candidates: readonly EvictionCandidate[]): Promise<void> {
    for (const { key } of candidates) {
      this.table.delete(key);
      this.index.delete(key);
      this.locked.delete(key);
      this.evictedKeys++;
    }
    this.reclaim(candidates.map(({ address, record }) => ({ address, bytes: record.length })));
  }

  /** The flush failed: the records stay in memory, valid and unlocked. */
  async abortEviction(candidates: readonly EvictionCandidate[]): Promise<void> {
    for (const { key, address } of candidates) {
      const [slab, offset] = this.locate(address);
      setValid(slab, offset, true);
      this.locked.delete(key);
    }
  }

  /** Keys in memory, oldest first, for eviction when cNodes report none. */
  async someKeys(count: number): Promise<string[]> {
    const out: string[] = [];
    for (const key of this.table.keys()) {
      if (out.length >= count) break;
      if (!this.locked.has(key)) out.push(key);
    }
    return out;
  }

  /** Frees superseded versions. Readers holding their addresses detect reuse by key and retry. */
  async collectGarbage(): Promise<void> {
    this.collectGarbageNow();
  }

  private collectGarbageNow(): void {
    this.reclaim(this.garbage);
    this.collectedVersions += this.garbage.length;
    this.garbage = [];
    this.garbageBytes = 0;
  }

  async refreshStats(): Promise<void> {}

  close(): void {}

  /** Drops every record and slab; resolves once every free listener has let go of the old pool. */
  async reset(): Promise<void> {
    const everything = [...this.table.values()];
    this.generation++;
    this.slabs = [];
    this.space = new SpaceManager(this.limits);
    this.table = new Map();
    this.index = new SortedKeySet();
    this.locked = new Set();
    this.garbage = [];
    this.garbageBytes = 0;
    await Promise.all(this.freeListeners.map((listener) => listener(everything, true)));
  }

  get stats(): MemoryStats {
    return {
      keys: this.table.size,
      usedBytes: this.space.usedBytes,
      capacityBytes: this.space.capacityBytes,
      budgetBytes: this.limits.memoryBudgetBytes,
      freeBytes: this.space.freeBytes,
      slabs: this.space.slabs,
      garbageBytes: this.garbageBytes,
      evictedKeys: this.evictedKeys,
      collectedVersions: this.collectedVersions,
    };
  }

  /** Announces freed buffers and returns them to the space manager once no listener holds them. */
  private reclaim(buffers: readonly FreedBuffer[]): void {
    if (buffers.length === 0) return;
    const addresses = buffers.map((b) => b.address);
    const pending = this.freeListeners.map((listener) => listener(addresses, false)).filter((ack) => ack !== undefined);
    if (pending.length === 0) return this.free(buffers);
    const generation = this.generation;
    void Promise.allSettled(pending).then(() => {
      if (generation === this.generation) this.free(buffers);
    });
  }

  private free(buffers: readonly FreedBuffer[]): void {
    for (const { address, bytes } of buffers) this.space.free(address, bytes);
  }

  private retire(address: number): void {
    const [slab, offset] = this.locate(address);
    const bytes = encodedLength(slab, offset);
    if (getNext(slab, offset) === NULL_ADDRESS) throw new RemoteAddressInvalidError(`Retired version at ${address} has no successor.`);
    this.garbage.push({ address, bytes });
    this.garbageBytes += this.space.classOf(bytes);
    if (this.garbageBytes >= this.limits.gcThresholdBytes) this.collectGarbageNow();
  }

  private locate(address: number): [Uint8Array, number] {
    const slab = this.slabs[Math.floor(address / this.limits.slabBytes)];
    if (!slab || address < 0) throw new RemoteAddressInvalidError(`Address ${address} is outside the memory pool.`, { hint: 'The cNode holds a stale address; drop it and look the key up again.' });
    return [slab, address % this.limits.slabBytes];
  }
}
