// Block materialisation on the storage node (paper §4.1.2, §4.3): the write
// sets of the valid transactions of committed blocks are applied to storage in
// the background, and the savepoint records the last block materialised. After
// a memory failure the peer materialises only the blocks after the savepoint,
// never the whole chain. Evicted records reach storage through the same serial
// queue.
//
// The protocol is MaterializationCore's (materialization-core.ts); this file
// carries out its effects: storage writes through a MaterializerStore, retry
// timers, and the callers' promises.

import { utf8Decode, utf8Encode } from '@flexchain/sdk';
import type { BatchOp, LedgerDb } from '../storage/ledger-db';
import { MaterializationCore, type MaterializationEffect, type MaterializationHaltedError, type MaterializationJob, type MaterializationLimits, type MaterializedBlock } from './materialization-core';
import { storedPutOp, type StorageNode, type StoredRecord } from './storage-node';

export type { MaterializedBlock };

/** Where the materialiser writes: the storage tier and its savepoint. */
export interface MaterializerStore {
  /** The savepoint as stored; -1 before the first block. */
  loadSavepoint(): Promise<number>;
  /** Writes the records (only where newer than storage's, with ifNewer) and the savepoint, if given, as one atomic batch. */
  write(records: readonly StoredRecord[], ifNewer: boolean, savepoint: number | undefined): Promise<void>;
}

const SAVEPOINT_KEY = utf8Encode('savepoint');

/** The peer's LevelDB: storage-tier records and the savepoint in one batch. */
export function ledgerMaterializerStore(ledger: LedgerDb, storage: StorageNode): MaterializerStore {
  return {
    async loadSavepoint() {
      const stored = await ledger.meta.get(SAVEPOINT_KEY);
      return stored === undefined ? -1 : Number(utf8Decode(stored));
    },
    async write(records, ifNewer, savepoint) {
      const ops: BatchOp[] = (ifNewer ? await storage.newerOnly(records) : records).map((r) => storedPutOp(ledger.tieredState, r));
      if (savepoint !== undefined) ops.push({ type: 'put', sublevel: ledger.meta, key: SAVEPOINT_KEY, value: utf8Encode(String(savepoint)) });
      if (ops.length > 0) await ledger.write(ops);
    },
  };
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

export class Materializer {
  private core: MaterializationCore | undefined;
  private readonly waiters = new Map<number, Waiter>();
  private writing: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: (() => void)[] = [];
  private readonly haltListeners: ((error: MaterializationHaltedError) => void)[] = [];

  constructor(
    private readonly store: MaterializerStore,
    private readonly limits: MaterializationLimits,
  ) {}

  async load(): Promise<void> {
    this.core = new MaterializationCore(await this.store.loadSavepoint(), this.limits);
  }

  /** Number of the last block whose writes are in storage; -1 before the first. */
  get savepoint(): number {
    return this.loaded().savepoint;
  }

  get backlog(): number {
    return this.core?.backlog ?? 0;
  }

  /** Why the materialiser stopped, if it did. */
  get halted(): MaterializationHaltedError | undefined {
    return this.core?.halted;
  }

  /** Called once if storage fails for good. */
  onHalt(listener: (error: MaterializationHaltedError) => void): void {
    this.haltListeners.push(listener);
  }

  /** Materialises a committed block in the background. */
  enqueue(block: MaterializedBlock): void {
    void this.submit({ kind: 'block', block, replay: false }).catch(() => undefined);
  }

  /** Persists records evicted from memory (the eviction manager's flush); resolves once they are in storage. */
  persistEvicted(records: readonly StoredRecord[]): Promise<void> {
    return this.submit({ kind: 'evicted', records });
  }

  /** Resolves when nothing is queued or being written. */
  drain(): Promise<void> {
    if (!this.core || this.core.idle || this.core.halted) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Before recovery replays the blocks after the savepoint: drops what is
   * queued and resolves once the write in progress (if any) has finished, so
   * no older write lands after the replay's.
   */
  async abandonQueued(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.run(this.loaded().abandon());
    await this.writing;
  }

  /** Materialises blocks in order now (recovery), keeping newer versions already in storage; resolves with how many were written. */
  async applyAll(blocks: AsyncIterable<MaterializedBlock>): Promise<number> {
    let applied = 0;
    for await (const block of blocks) {
      if (block.blockNum <= this.savepoint) continue;
      await this.submit({ kind: 'block', block, replay: true });
      applied++;
    }
    return applied;
  }

  private loaded(): MaterializationCore {
    if (!this.core) throw new Error('Materializer used before load()');
    return this.core;
  }

  private submit(job: MaterializationJob): Promise<void> {
    const { ticket, effects } = this.loaded().submit(job);
    const done = new Promise<void>((resolve, reject) => this.waiters.set(ticket, { resolve, reject }));
    this.run(effects);
    return done;
  }

  private run(effects: readonly MaterializationEffect[]): void {
    for (const effect of effects) {
      switch (effect.type) {
        case 'write': {
          const { ticket } = effect;
          this.writing = this.store.write(effect.records, effect.ifNewer, effect.savepoint).then(
            () => this.afterWrite(() => this.loaded().written(ticket)),
            (err: unknown) => this.afterWrite(() => this.loaded().failed(ticket, err instanceof Error ? err.message : String(err))),
          );
          break;
        }
        case 'retry-after':
          this.retryTimer = setTimeout(() => {
            this.retryTimer = undefined;
            this.run(this.loaded().retryDue());
          }, effect.delayMs);
          break;
        case 'settle': {
          const waiter = this.waiters.get(effect.ticket);
          this.waiters.delete(effect.ticket);
          if (effect.error) waiter?.reject(effect.error);
          else waiter?.resolve();
          break;
        }
        case 'halt':
          for (const listener of this.haltListeners) listener(effect.error);
          break;
      }
    }
    if (this.core && (this.core.idle || this.core.halted)) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private afterWrite(next: () => MaterializationEffect[]): void {
    this.writing = undefined;
    this.run(next());
  }
}
