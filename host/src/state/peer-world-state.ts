// How a peer keeps its world state, behind one interface so the commit
// pipeline does not know which design it runs on:
//
//   disaggregated (default, paper §4): cNode caches, a remote memory pool and
//     LevelDB storage; a block's writes go to memory once the block is durable,
//     and are materialised to storage in the background (savepoint).
//   leveldb ("generic XOV", the paper's baseline): LevelDB alone; a block's
//     writes commit in the same atomic batch as the block.

import type { StateWrite, Version, VersionedStateReader } from '@flexchain/sdk';
import type { BatchOp, LedgerDb } from '../storage/ledger-db';
import { Materializer, type MaterializedBlock } from './materializer';
import type { StateAccess } from './state-access';
import { StorageNode } from './storage-node';
import { TieredWorldState, type TieredStateLimits } from './tiered-world-state';
import { NamespaceState } from './world-state-db';

export type WorldStateKind = 'disaggregated' | 'leveldb';

/** One write of a valid transaction, with the version it commits at. */
export interface CommittedWrite {
  readonly contract: string;
  readonly write: StateWrite;
  readonly version: Version;
}

export interface WorldStateStats {
  readonly kind: WorldStateKind;
  readonly cacheHitRatio?: number;
  readonly memoryUsedBytes?: number;
  readonly memoryBudgetBytes?: number;
  readonly evictedKeys?: number;
  readonly storageReadShare?: number;
  readonly savepoint?: number;
}

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
  /** Resolves when background work (materialisation) is done. */
  drain(): Promise<void>;
}

const NAMESPACE_SEPARATOR = '\u0000';

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

  async drain(): Promise<void> {}
}

export class DisaggregatedWorldState implements PeerWorldState {
  readonly tiered: TieredWorldState;
  readonly materializer: Materializer;

  constructor(ledger: LedgerDb, cnodeCount: number, limits: Partial<TieredStateLimits>) {
    const storage = new StorageNode(ledger.tieredState);
    this.tiered = new TieredWorldState({ storage, cnodeCount, limits });
    this.materializer = new Materializer(storage, ledger.meta);
  }

  namespace(contract: string, cnodeIndex: number) {
    return this.tiered.namespace(contract, cnodeIndex);
  }

  commitOps(): BatchOp[] {
    return [];
  }

  async blockCommitted(blockNum: number, writes: readonly CommittedWrite[]): Promise<void> {
    const byContract = new Map<string, { write: StateWrite; version: Version }[]>();
    for (const { contract, write, version } of writes) byContract.set(contract, [...(byContract.get(contract) ?? []), { write, version }]);
    await Promise.all([...byContract].map(([contract, list]) => this.tiered.namespace(contract, 0).commit(list)));
    this.materializer.enqueue(materializedBlock(blockNum, writes));
  }

  async recover(height: number, writesOf: (blockNum: number) => Promise<CommittedWrite[]>): Promise<number> {
    await this.materializer.load();
    return this.materializeAfterSavepoint(height, writesOf);
  }

  /**
   * The memory node lost its contents: finish materialising, start a fresh pool,
   * and materialise the blocks after the savepoint. Resolves with how many blocks that took.
   */
  async recoverMemoryLoss(height: number, writesOf: (blockNum: number) => Promise<CommittedWrite[]>): Promise<number> {
    await this.materializer.drain();
    this.tiered.replaceMemory();
    return this.materializeAfterSavepoint(height, writesOf);
  }

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
    };
  }

  drain(): Promise<void> {
    return this.materializer.drain();
  }
}

function materializedBlock(blockNum: number, writes: readonly CommittedWrite[]): MaterializedBlock {
  return {
    blockNum,
    writes: writes.map(({ contract, write, version }) => ({ key: contract + NAMESPACE_SEPARATOR + write.key, version, value: 'delete' in write ? undefined : write.value })),
  };
}
