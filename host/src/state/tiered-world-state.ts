// One logical peer's disaggregated world state (paper §4): remote memory (an
// mNode), storage for what is not in memory (an sNode), and one
// ComputeNodeState per cNode. Contract namespaces share the pool; their keys
// are prefixed "<contract> 0x00".
//
// namespace(contract, cnode) is the VersionedStateStore and StateAccess that a
// cNode's simulations and the validator use. Range scans merge the keys held in
// memory (its ordered key index) with storage: memory holds the latest version
// of every key it has, storage the latest of every key it does not.

import { compareUtf8, FlexChainError, keySuccessor, type StateWrite, type Version, type VersionedEntry, type VersionedStateReader, type VersionedStateStore, type VersionedValue } from '@flexchain/sdk';
import type { StateAccess } from './state-access';
import { ComputeNodeState, type CacheReplica, type ComputeNodeLimits } from './compute-node-state';
import { EvictionManager, type EvictionLimits } from './eviction-manager';
import type { MaterializationLimits } from './materialization-core';
import { MemoryNode, type MemoryNodeLimits } from './remote-memory/memory-node';
import type { MemoryControl, MemoryThreadAccess } from './remote-memory/memory-control';
import type { StorageNode, StoredRecord } from './storage-node';

export interface TieredStateLimits extends MemoryNodeLimits, ComputeNodeLimits, EvictionLimits, MaterializationLimits {
  /** Keys fetched from the memory node's key index per call during a range scan. */
  readonly rangeKeyBatch: number;
  /** Writes of one commit sent to remote memory at once. */
  readonly commitParallelism: number;
}

export const DEFAULT_TIERED_STATE_LIMITS: TieredStateLimits = Object.freeze({
  // A laptop-sized pool: 4 MiB slabs up to 64 MiB, the paper's design at 1/16000 of its 1 GB slabs.
  slabBytes: 4 * 1024 * 1024,
  memoryBudgetBytes: 64 * 1024 * 1024,
  allocationBytesMin: 64,
  gcThresholdBytes: 1024 * 1024,
  localCacheBytesMax: 8 * 1024 * 1024,
  metadataEntriesMax: 100_000,
  // Up to ~50 × 50 ms: longer than an eviction round takes to reach storage under load.
  readRetriesMax: 50,
  readBackoffMs: 1,
  readBackoffMaxMs: 50,
  writeAllocateRetriesMax: 8,
  promoteStorageReads: true,
  // Start evicting with an eighth of the budget left, a slab's worth of records per round.
  evictionFreeBytesMin: 8 * 1024 * 1024,
  evictionBatchKeys: 1024,
  rangeKeyBatch: 1024,
  commitParallelism: 64,
  // 20 ms doubling to 2 s: about 20 s of storage faults are ridden out before the peer halts.
  materializeAttemptsMax: 16,
  materializeRetryDelayMs: 20,
  materializeRetryDelayMaxMs: 2000,
});

export class TieredStateConfigError extends FlexChainError {
  override name = 'TieredStateConfigError';
}

export interface TieredWorldStateOptions {
  readonly storage: StorageNode;
  readonly cnodeCount: number;
  readonly limits?: Partial<TieredStateLimits>;
  /** The memory node, reached through some transport; default an in-process MemoryNode. */
  readonly memory?: MemoryControl;
  /** Where eviction flushes records; default straight to storage. A peer routes them through its materialiser. */
  readonly evictionSink?: { persistEvicted(records: readonly StoredRecord[]): Promise<void> };
}

/**
 * A cNode of this peer in a worker thread, as the store sees it. Everything
 * that keeps its caches coherent is a message it acknowledges: invalidations,
 * evictions, freed buffers (for shared slabs) and a change of memory node.
 */
export interface ThreadComputeNode extends CacheReplica {
  coldKeys(count: number): Promise<string[]>;
  evicted(keys: readonly string[]): Promise<void>;
  freed(addresses: readonly number[], reset: boolean): Promise<void>;
  attach(access: MemoryThreadAccess): Promise<void>;
}

const NAMESPACE_SEPARATOR = '\u0000';

/** The key of `key` of `contract` in the shared pool and in storage: "<contract> 0x00 <key>". */
export function namespacedKey(contract: string, key: string): string {
  return contract + NAMESPACE_SEPARATOR + key;
}

/** The namespaced bounds of `contract`'s range [startKey, endKey); an empty endKey runs to the end of the namespace. */
export function namespacedRange(contract: string, startKey: string, endKey: string): { startKey: string; endKey: string } {
  return { startKey: namespacedKey(contract, startKey), endKey: endKey === '' ? contract + '\u0001' : namespacedKey(contract, endKey) };
}

/** `Thread`: what the owner keeps of its cNode threads besides coherence (the peer closes them and hands them V2 tasks). */
export class TieredWorldState<Thread extends ThreadComputeNode = ThreadComputeNode> {
  memory: MemoryControl;
  readonly cnodes: ComputeNodeState[];
  /** cNodes in worker threads; they join after the store is built (see addThread). */
  readonly threads: Thread[] = [];
  eviction: EvictionManager;
  readonly limits: TieredStateLimits;
  private readonly storage: StorageNode;
  private readonly evictionSink: { persistEvicted(records: readonly StoredRecord[]): Promise<void> };

  constructor(options: TieredWorldStateOptions) {
    this.limits = { ...DEFAULT_TIERED_STATE_LIMITS, ...options.limits };
    if (this.limits.evictionFreeBytesMin >= this.limits.memoryBudgetBytes) {
      throw new TieredStateConfigError(`evictionFreeBytesMin (${this.limits.evictionFreeBytesMin}) must be below memoryBudgetBytes (${this.limits.memoryBudgetBytes}), or eviction would never stop.`);
    }
    this.storage = options.storage;
    this.evictionSink = options.evictionSink ?? options.storage;
    this.memory = options.memory ?? new MemoryNode(this.limits);
    const peers = {
      storage: options.storage,
      cnodes: () => this.replicas(),
      makeRoom: () => this.eviction.evict(),
      memoryShort: () => this.eviction.needed(),
    };
    this.cnodes = Array.from({ length: options.cnodeCount }, (_, i) => new ComputeNodeState(`cnode${i}`, this.memory, peers, this.limits));
    this.eviction = this.wireMemory();
  }

  /**
   * The memory node failed and came back empty: a fresh pool, cNodes with empty
   * caches. Storage must already hold the committed state (see the materialiser).
   */
  async replaceMemory(memory: MemoryControl = new MemoryNode(this.limits)): Promise<void> {
    if (memory !== this.memory) this.memory.close();
    this.memory = memory;
    for (const cnode of this.cnodes) cnode.reset(memory);
    this.eviction = this.wireMemory();
    await Promise.all(this.threads.map((thread) => thread.attach(memory.threadAccess())));
  }

  /** A cNode in a worker thread, already attached to the current memory node, joins the peer. */
  addThread(thread: Thread): void {
    this.threads.push(thread);
  }

  /** Every cNode, in this thread or another: whom writes invalidate and eviction asks for cold keys. */
  private replicas(): readonly (ComputeNodeState | ThreadComputeNode)[] {
    return this.threads.length === 0 ? this.cnodes : [...this.cnodes, ...this.threads];
  }

  private wireMemory(): EvictionManager {
    const memory = this.memory;
    memory.onFree((addresses, reset) => {
      for (const cnode of this.cnodes) cnode.forget(addresses);
      // Threads on a remote node hear of frees over their own connection; on shared slabs, from us.
      if (this.threads.length === 0 || memory.threadAccess().kind !== 'shared') return;
      return Promise.all(this.threads.map((thread) => thread.freed(addresses, reset))).then(() => undefined);
    });
    return new EvictionManager({ memory, storage: this.evictionSink, cnodes: () => this.replicas() }, this.limits);
  }

  /** The state of one contract as seen by one cNode. */
  namespace(contract: string, cnodeIndex = 0): TieredNamespace {
    return new TieredNamespace(this.limits, contract, this.cnodes[cnodeIndex] ?? this.cnodes[0]!, this.storage);
  }

  stats() {
    const sum = (f: (c: ComputeNodeState) => number) => this.cnodes.reduce((n, c) => n + f(c), 0);
    const hits = sum((c) => c.data.hits);
    const lookups = hits + sum((c) => c.data.misses);
    const reads = sum((c) => c.memoryReads + c.storageReads);
    return {
      memory: this.memory.stats,
      cacheHitRatio: lookups === 0 ? 0 : hits / lookups,
      storageReadShare: reads === 0 ? 0 : sum((c) => c.storageReads) / reads,
      evictionRounds: this.eviction.rounds,
      readRetries: sum((c) => c.retries),
    };
  }
}

export class TieredNamespace implements VersionedStateStore, StateAccess {
  private readonly prefix: string;

  constructor(
    private readonly limits: Pick<TieredStateLimits, 'rangeKeyBatch' | 'commitParallelism'>,
    readonly contract: string,
    private readonly cnode: ComputeNodeState,
    private readonly storage: Pick<StorageNode, 'range' | 'getMany'>,
  ) {
    this.prefix = namespacedKey(contract, '');
  }

  async get(key: string): Promise<VersionedValue | undefined> {
    const record = await this.cnode.read(this.prefix + key);
    return record?.value === undefined ? undefined : { value: record.value, version: record.version };
  }

  async rangePage(startKey: string, endKey: string, limit: number): Promise<VersionedEntry[]> {
    const out: VersionedEntry[] = [];
    for await (const entry of this.range(startKey, endKey)) {
      out.push(entry);
      if (out.length >= limit) break;
    }
    return out;
  }

  range(startKey: string, endKey: string): AsyncIterable<VersionedEntry> {
    const { startKey: from, endKey: to } = namespacedRange(this.contract, startKey, endKey);
    const self = this;
    return {
      async *[Symbol.asyncIterator]() {
        const inMemory = await self.memoryKeys(from, to);
        const memorySet = new Set(inMemory);
        const stored = self.storage.range(from, to)[Symbol.asyncIterator]();
        let next = await stored.next();
        let m = 0;
        try {
          for (;;) {
            // Skip storage records shadowed by memory, which holds their latest version.
            while (!next.done && memorySet.has(next.value.key)) next = await stored.next();
            const memoryKey = inMemory[m];
            if (next.done && memoryKey === undefined) return;
            let record: StoredRecord | undefined;
            if (memoryKey !== undefined && (next.done || compareUtf8(memoryKey, next.value.key) < 0)) {
              m++;
              record = await self.cnode.read(memoryKey);
            } else {
              record = next.value as StoredRecord;
              next = await stored.next();
            }
            if (record?.value !== undefined) yield { key: record.key.slice(self.prefix.length), value: record.value, version: record.version };
          }
        } finally {
          await stored.return?.(undefined);
        }
      },
    };
  }

  /**
   * Writes a batch in parallel. Only the last write of each key is kept: the
   * batch is in version order, and parallel writes of one key could link out of order.
   */
  async commit(batch: readonly { readonly write: StateWrite; readonly version: Version }[]): Promise<void> {
    const latest = [...new Map(batch.map((entry) => [entry.write.key, entry])).values()];
    const { commitParallelism } = this.limits;
    for (let i = 0; i < latest.length; i += commitParallelism) {
      await Promise.all(
        latest.slice(i, i + commitParallelism).map(({ write, version }) => this.cnode.write(this.prefix + write.key, version, 'delete' in write ? undefined : write.value)),
      );
    }
  }

  /**
   * Reads a transaction's or a block's read set up front: keys in memory through
   * the cNode (warming its caches), all the others from storage in one getMany.
   * Serves them from the results afterwards.
   */
  async prefetch(keys: readonly string[]): Promise<VersionedStateReader> {
    const full = keys.map((k) => this.prefix + k);
    const inMemory = await Promise.all(full.map((k) => this.cnode.locate(k)));
    const missing = full.filter((_, i) => inMemory[i] === undefined);
    const stored = new Map((await this.storage.getMany(missing)).map((record, i) => [missing[i]!, record]));
    const values = await Promise.all(full.map(async (k, i) => (inMemory[i] === undefined ? stored.get(k) : this.cnode.read(k))));
    const found = new Map(keys.map((k, i) => [k, values[i]?.value === undefined ? undefined : { value: values[i]!.value!, version: values[i]!.version }]));
    return { get: async (key) => (found.has(key) ? found.get(key) : this.get(key)), range: (s, e) => this.range(s, e) };
  }

  private async memoryKeys(from: string, to: string): Promise<string[]> {
    const keys: string[] = [];
    const { rangeKeyBatch } = this.limits;
    for (let start = from; ; ) {
      const page = await this.cnode.memoryKeys(start, to, rangeKeyBatch);
      keys.push(...page);
      if (page.length < rangeKeyBatch) return keys;
      start = keySuccessor(page[page.length - 1]!);
    }
  }
}

