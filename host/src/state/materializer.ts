// Block materialisation on the storage node (paper §4.1.2, §4.3): the write
// sets of the valid transactions of committed blocks are applied to storage in
// the background, and the savepoint records the last block materialised. After
// a memory failure the peer materialises only the blocks after the savepoint,
// never the whole chain.
//
// Evicted records reach storage through the same serial worker, so a check and
// its write never interleave with another writer. Eviction flushes go ahead of
// queued blocks (readers wait on them); that is safe because a block queued
// earlier never holds a newer version than the eviction took from memory. As in the paper, eviction
// skips records at or below the savepoint (already materialised), and live
// materialisation writes without reading first, skipping only keys whose newer
// version was already evicted. Recovery, which has no record of evictions,
// compares versions in storage instead (putIfNewer).

import { compareVersions, utf8Decode, utf8Encode, type Version } from '@flexchain/sdk';
import type { ByteSublevel } from '../storage/ledger-db';
import type { StorageNode, StoredRecord } from './storage-node';

const SAVEPOINT_KEY = utf8Encode('savepoint');

export interface MaterializedBlock {
  readonly blockNum: number;
  /** Full state keys, in version order. */
  readonly writes: readonly StoredRecord[];
}

export class Materializer {
  private savepointBlock = -1;
  /** Jobs not started yet: eviction flushes first, then blocks, each in arrival order. */
  private readonly urgent: (() => Promise<void>)[] = [];
  private readonly normal: (() => Promise<void>)[] = [];
  private worker: Promise<void> | undefined;
  /** Versions evicted ahead of materialisation; dropped once the savepoint passes them. */
  private readonly evictedAhead = new Map<string, Version>();
  private pendingBlocks = 0;
  /**
   * Fault injection: while set, enqueued blocks are dropped, as if the storage
   * node had not received them; recovery must then re-materialise them from the block store.
   */
  lagging = false;

  constructor(
    private readonly storage: StorageNode,
    private readonly meta: ByteSublevel,
  ) {}

  async load(): Promise<void> {
    const stored = await this.meta.get(SAVEPOINT_KEY);
    this.savepointBlock = stored === undefined ? -1 : Number(utf8Decode(stored));
  }

  /** Number of the last block whose writes are in storage; -1 before the first. */
  get savepoint(): number {
    return this.savepointBlock;
  }

  get backlog(): number {
    return this.pendingBlocks;
  }

  /** Materialises a committed block in the background. */
  enqueue(block: MaterializedBlock): void {
    if (this.lagging) return;
    this.pendingBlocks++;
    void this.schedule(() => this.applyLive(block), false)
      .catch(() => undefined)
      .finally(() => this.pendingBlocks--);
  }

  /** Persists records evicted from memory (the eviction manager's flush); resolves once they are in storage. */
  persistEvicted(records: readonly StoredRecord[]): Promise<void> {
    return this.schedule(async () => {
      const fresh = records.filter((r) => r.version.blockNum > this.savepointBlock);
      for (const r of fresh) this.evictedAhead.set(r.key, r.version);
      await this.storage.putAll(fresh);
    }, true);
  }

  /** Resolves when every job queued so far, and any queued while waiting, is done. */
  async drain(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Materialises blocks in order now (recovery). Blocks at or below the savepoint are skipped. */
  async applyAll(blocks: AsyncIterable<MaterializedBlock>): Promise<number> {
    return this.schedule(async () => {
      let applied = 0;
      for await (const block of blocks) {
        if (block.blockNum <= this.savepointBlock) continue;
        await this.apply(block);
        applied++;
      }
      return applied;
    }, false);
  }

  /** Runs `work` after the jobs before it, one job at a time. */
  private schedule<T>(work: () => Promise<T>, urgent: boolean): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      (urgent ? this.urgent : this.normal).push(() => work().then(resolve, reject));
      this.worker ??= this.run().finally(() => {
        this.worker = undefined;
      });
    });
  }

  private async run(): Promise<void> {
    for (let job = this.urgent.shift() ?? this.normal.shift(); job; job = this.urgent.shift() ?? this.normal.shift()) await job();
  }

  /** A block committed just now: nothing newer is in storage except what eviction wrote ahead. */
  private async applyLive(block: MaterializedBlock): Promise<void> {
    const writes = block.writes.filter((w) => {
      const evicted = this.evictedAhead.get(w.key);
      return evicted === undefined || compareVersions(w.version, evicted) >= 0;
    });
    await this.storage.putAll(writes);
    await this.advance(block.blockNum);
  }

  private async apply(block: MaterializedBlock): Promise<void> {
    await this.storage.putIfNewer(block.writes);
    await this.advance(block.blockNum);
  }

  private async advance(blockNum: number): Promise<void> {
    await this.meta.put(SAVEPOINT_KEY, utf8Encode(String(blockNum)));
    this.savepointBlock = blockNum;
    for (const [key, version] of this.evictedAhead) if (version.blockNum <= blockNum) this.evictedAhead.delete(key);
  }
}
