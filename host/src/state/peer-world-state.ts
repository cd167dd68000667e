// How a peer keeps its world state, behind one interface so the commit
// pipeline does not know which design it runs on:
//
//   disaggregated (default, paper §4): cNode caches, a remote memory pool and
//     LevelDB storage; a block's writes go to memory once the block is durable,
//     and are materialised to storage in the background (savepoint).
//   leveldb ("generic XOV", the paper's baseline): LevelDB alone; a block's
//     writes commit in the same atomic batch as the block.

import { FlexChainError, type StateWrite, type Version, type VersionedStateReader } from '@flexchain/sdk';
import type { PeerStatus } from '@flexchain/sdk/protocol';
import type { HostConfig } from '../config';
import type { MemoryControl } from './remote-memory/memory-control';
import { MemoryNode } from './remote-memory/memory-node';
import type { BatchOp, LedgerDb } from '../storage/ledger-db';
import { ledgerMaterializerStore, Materializer, type MaterializedBlock } from './materializer';
import type { StateAccess } from './state-access';
import { StorageNode } from './storage-node';
import { namespacedKey, TieredWorldState, type TieredStateLimits } from './tiered-world-state';
import { ComputeNodeThread } from './thread/compute-node-thread';
import { ValidationLanes } from '../validate/validation-lanes';
import { NamespaceState } from './world-state-db';

export type WorldStateKind = 'disaggregated' | 'leveldb';

/** One write of a valid transaction, with the version it commits at. */
export interface CommittedWrite {
  readonly contract: string;
  readonly write: StateWrite;
  readonly version: Version;
}

/** The world-state figures of a peer's status (the wire type of `flexchain status`). */
export type WorldStateStats = PeerStatus['worldState'] & { readonly kind: WorldStateKind };

export interface PeerWorldState {
  /** One contract's state as cNode `cnodeIndex` sees it; cNode 0 is the primary, which validates. */
  namespace(contract: string, cnodeIndex: number): VersionedStateReader & StateAccess & { prefetch(keys: readonly string[]): Promise<VersionedStateReader> };
  /** Operations to write atomically with the block record. */
  commitOps(writes: readonly CommittedWrite[]): BatchOp[];
  /** Called once the block and its codes are durable. */
  blockCommitted(blockNum: number, writes: readonly CommittedWrite[]): Promise<void>;
  /** Brings state up to the committed height after a restart; resolves with the blocks it had to replay. */
  recover(height: number, writesOf: (blockNum: number) => Promise<CommittedWrite[]>): Promise<number>;
  stats(): WorldStateStats;
  /** Fetches current statistics from a remote memory node, so stats() is fresh. */
  refreshStats(): Promise<void>;
  /** Resolves when background work (materialisation) is done. */
  drain(): Promise<void>;
  /** Finishes background work and releases connections. */
  close(): Promise<void>;
  /** Where parallel validation may run V2 besides the primary cNode, if this design has cNode threads. */
  readonly validationLanes?: ValidationLanes;
}

export class LevelDbWorldState implements PeerWorldState {
  private readonly namespaces = new Map<string, NamespaceState>();

  constructor(private readonly ledger: LedgerDb) {}

  namespace(contract: string): NamespaceState {
    let ns = this.namespaces.get(contract);
    if (!ns) this.namespaces.set(contract, (ns = new NamespaceState(this.ledger.state, contract)));
    return ns;
  }

  commitOps(writes: readonly CommittedWrite[]): BatchOp[] {
    return writes.flatMap(({ contract, write, version }) => this.namespace(contract).writeOps([{ write, version }]));
  }

  async blockCommitted(): Promise<void> {}

  async recover(): Promise<number> {
    return 0;
  }

  stats(): WorldStateStats {
    return { kind: 'leveldb' };
  }

  async refreshStats(): Promise<void> {}

  async drain(): Promise<void> {}

  async close(): Promise<void> {}
}

/** The world state `config.worldState` names, over `ledger`: what a peer, and the benchmarks of its state layer, run on. */
export function peerWorldState(ledger: LedgerDb, config: HostConfig, cnodeCount: number, options: { connect?: () => Promise<MemoryControl>; log: (message: string) => void }): PeerWorldState {
  if (config.worldState === 'leveldb') return new LevelDbWorldState(ledger);
  return new DisaggregatedWorldState(
    ledger,
    cnodeCount,
    config.tieredState,
    { ...options, reconnectIntervalMs: config.memoryReconnectIntervalMs, reconnectAttemptsMax: config.memoryReconnectAttemptsMax },
    config.validationThreads,
  );
}

export interface RemoteMemoryOptions {
  /** Connects to a memory node in another process; omit for an in-process pool. */
  readonly connect?: () => Promise<MemoryControl>;
  /** Wait between reconnection attempts after losing the memory node, in ms. */
  readonly reconnectIntervalMs: number;
  /** Reconnection attempts before the peer gives up. */
  readonly reconnectAttemptsMax: number;
  readonly log: (message: string) => void;
}

export class DisaggregatedWorldState implements PeerWorldState {
  /** Its cNode threads (validation lanes) start once state is recovered. */
  readonly tiered: TieredWorldState<ComputeNodeThread>;
  readonly materializer: Materializer;
  readonly validationLanes: ValidationLanes | undefined;
  private recovering: Promise<number> | undefined;
  recoveries = 0;
  /** Set once the remote memory node was given up on: why, for status. */
  memoryNodeLost: string | undefined;
  /** Fault injection: while set, storage refuses blocks (not evicted records); recovery must re-materialise them from the block store. */
  materializationLagging = false;

  constructor(
    private readonly ledger: LedgerDb,
    cnodeCount: number,
    limits: Partial<TieredStateLimits>,
    private readonly remote: RemoteMemoryOptions,
    /** cNode worker threads to start (validation lanes). */
    private readonly threadCount = 0,
  ) {
    const storage = new StorageNode(ledger.tieredState);
    this.tiered = new TieredWorldState({ storage, cnodeCount, limits, evictionSink: { persistEvicted: (records) => this.materializer.persistEvicted(records) } });
    const store = ledgerMaterializerStore(ledger, storage);
    this.materializer = new Materializer(
      {
        loadSavepoint: () => store.loadSavepoint(),
        write: (records, ifNewer, savepoint) => {
          if (this.materializationLagging && savepoint !== undefined) return Promise.reject(new Error('the storage node is not receiving blocks (fault injection)'));
          return store.write(records, ifNewer, savepoint);
        },
      },
      this.tiered.limits,
    );
    if (threadCount > 0) this.validationLanes = new ValidationLanes(() => this.tiered.threads);
  }

  /**
   * True for errors that mean the memory node is gone (recover, then retry).
   * By name: a cNode thread's error arrives rebuilt on this side of its port, not as the original class.
   */
  isMemoryFailure(err: unknown): boolean {
    return err instanceof FlexChainError && err.name === 'MemoryNodeUnreachableError';
  }

  /**
   * The memory node was lost: reconnect (a remote node) or start a fresh pool
   * (in-process), empty it, and materialise the blocks after the savepoint.
   * Concurrent callers share one recovery.
   */
  recoverFromFailure(height: number, writesOf: (blockNum: number) => Promise<CommittedWrite[]>): Promise<number> {
    this.recovering ??= (async () => {
      this.remote.log(`remote memory lost; reconnecting and materialising blocks after savepoint ${this.materializer.savepoint}`);
      const memory = await this.reconnect(true);
      await this.materializer.abandonQueued();
      await this.tiered.replaceMemory(memory);
      await memory.reset();
      this.recoveries++;
      return this.materializeAfterSavepoint(height, writesOf);
    })().finally(() => {
      this.recovering = undefined;
    });
    return this.recovering;
  }

  /**
   * A connection to the memory node, or a fresh in-process pool. With
   * `giveUp` (a peer that was serving), a remote node still unreachable after
   * reconnectAttemptsMax attempts is given up on: the peer goes on with an
   * in-process pool (reads fall through to storage while it refills), and its
   * status says the memory node is lost. At start, the error stands.
   */
  private async reconnect(giveUp: boolean): Promise<MemoryControl> {
    if (!this.remote.connect || this.memoryNodeLost) return new MemoryNode(this.tiered.limits);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.remote.connect();
      } catch (err) {
        if (attempt >= this.remote.reconnectAttemptsMax) {
          if (!giveUp) throw err;
          this.memoryNodeLost = `unreachable after ${attempt} attempts (${err instanceof FlexChainError ? err.shortMessage : err instanceof Error ? err.message : String(err)}); serving from storage and an in-process pool`;
          this.remote.log(`memory node ${this.memoryNodeLost}. Restart the peer once the memory node is back to use it again.`);
          return new MemoryNode(this.tiered.limits);
        }
        await new Promise((r) => setTimeout(r, this.remote.reconnectIntervalMs));
      }
    }
  }

  namespace(contract: string, cnodeIndex: number) {
    return this.tiered.namespace(contract, cnodeIndex);
  }

  commitOps(): BatchOp[] {
    return [];
  }

  async blockCommitted(blockNum: number, writes: readonly CommittedWrite[]): Promise<void> {
    const byContract = new Map<string, { write: StateWrite; version: Version }[]>();
    for (const { contract, write, version } of writes) {
      let list = byContract.get(contract);
      if (!list) byContract.set(contract, (list = []));
      list.push({ write, version });
    }
    await Promise.all([...byContract].map(([contract, list]) => this.tiered.namespace(contract, 0).commit(list)));
    this.materializer.enqueue(materializedBlock(blockNum, writes));
  }

  /**
   * On start: connect to the memory node (remote, or a fresh in-process pool),
   * empty it (after a crash it may hold half of a block's writes), and
   * materialise the blocks after the savepoint.
   */
  async recover(height: number, writesOf: (blockNum: number) => Promise<CommittedWrite[]>): Promise<number> {
    await this.materializer.load();
    if (this.remote.connect) await this.tiered.replaceMemory(await this.reconnect(false));
    await this.tiered.memory.reset();
    const replayed = await this.materializeAfterSavepoint(height, writesOf);
    await this.startThreads();
    return replayed;
  }

  private async startThreads(): Promise<void> {
    for (let i = this.tiered.threads.length; i < this.threadCount; i++) {
      const thread = await ComputeNodeThread.start({ name: `thread${i}`, ledgerLocation: this.ledger.location, limits: this.tiered.limits }, () => this.tiered.memory);
      this.tiered.addThread(thread);
    }
  }

  /** Materialises the committed blocks after the savepoint, in order; resolves with how many. */
  private materializeAfterSavepoint(height: number, writesOf: (blockNum: number) => Promise<CommittedWrite[]>): Promise<number> {
    const from = this.materializer.savepoint + 1;
    return this.materializer.applyAll(
      (async function* () {
        for (let blockNum = from; blockNum < height; blockNum++) yield materializedBlock(blockNum, await writesOf(blockNum));
      })(),
    );
  }

  stats(): WorldStateStats {
    const s = this.tiered.stats();
    return {
      kind: 'disaggregated',
      cacheHitRatio: s.cacheHitRatio,
      memoryUsedBytes: s.memory.usedBytes,
      memoryBudgetBytes: s.memory.budgetBytes,
      evictedKeys: s.memory.evictedKeys,
      storageReadShare: s.storageReadShare,
      savepoint: this.materializer.savepoint,
      ...(this.memoryNodeLost ? { memoryNodeLost: this.memoryNodeLost } : {}),
    };
  }

  async refreshStats(): Promise<void> {
    await this.tiered.memory.refreshStats().catch(() => undefined);
  }

  drain(): Promise<void> {
    return this.materializer.drain();
  }

  async close(): Promise<void> {
    await this.tiered.eviction.idle();
    await this.materializer.drain();
    await Promise.all(this.tiered.threads.map((thread) => thread.close()));
    this.tiered.memory.close();
  }
}

function materializedBlock(blockNum: number, writes: readonly CommittedWrite[]): MaterializedBlock {
  return {
    blockNum,
    writes: writes.map(({ contract, write, version }) => ({ key: namespacedKey(contract, write.key), version, value: 'delete' in write ? undefined : write.value })),
  };
}
