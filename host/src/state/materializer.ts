// Block materialisation on the storage node (paper §4.1.2): the write sets of
// the valid transactions of committed blocks are applied to storage in the
// background, and the savepoint records the last block materialised. After a
// memory failure the peer materialises only the blocks after the savepoint,
// never the whole chain. Stale versions never overwrite newer ones
// (putIfNewer), so eviction and materialisation may race freely.
//
// Blocks are materialised in order, one batch at a time.

import { utf8Decode, utf8Encode } from '@flexchain/sdk';
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
  private queue: Promise<void> = Promise.resolve();
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
    this.queue = this.queue.then(() => this.apply(block)).finally(() => this.pendingBlocks--);
  }

  /** Resolves when every enqueued block is in storage. */
  drain(): Promise<void> {
    return this.queue;
  }

  /** Materialises blocks in order now (recovery). Blocks at or below the savepoint are skipped. */
  async applyAll(blocks: AsyncIterable<MaterializedBlock>): Promise<number> {
    let applied = 0;
    for await (const block of blocks) {
      if (block.blockNum <= this.savepointBlock) continue;
      await this.apply(block);
      applied++;
    }
    return applied;
  }

  private async apply(block: MaterializedBlock): Promise<void> {
    await this.storage.putIfNewer(block.writes);
    await this.meta.put(SAVEPOINT_KEY, utf8Encode(String(block.blockNum)));
    this.savepointBlock = block.blockNum;
  }
}
