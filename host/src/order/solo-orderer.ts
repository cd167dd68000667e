// A single-node orderer: assigns the total order, cuts blocks with the
// BlockCutter, builds each block's dependency graph as its transactions
// arrive, hash-chains the blocks and keeps them in LevelDB so peers that
// restart can catch up. Block 0 is an empty genesis block written on first start.
//
// Blocks are cut, stored and delivered one at a time, in order.

import { ClassicLevel } from 'classic-level';
import { utf8Decode, utf8Encode } from '@flexchain/sdk';
import { blockHash, dataHashOf, decodeBlock, encodeBlock, GENESIS_PREVIOUS_HASH, graphHashOf, type Block, type DependencyGraph, type Signed } from '@flexchain/sdk/protocol';
import { blockKey } from '../ledger/block-store';
import { BlockCutter, type Batch, type BatchIndexer, type BlockCutterLimits } from './block-cutter';
import { accessOfEnvelope, DependencyGraphBuilder } from './dependency-graph';
import type { OrderingService } from './orderer';

const META_PREFIX = 'meta:';
const BLOCK_PREFIX = 'block:';
/**
 * Newest blocks kept in memory and delivered as they were cut: a subscriber
 * that keeps up gets the very envelope objects the gateway handled, so nothing
 * is decoded twice in one process (messages.ts oncePerObject). Older blocks
 * come from LevelDB.
 */
const RECENT_BLOCKS_KEPT = 8;

interface Subscription {
  next: number;
  readonly listener: (block: Block) => Promise<void> | void;
  readonly onFailure: ((err: unknown, blockNum: number) => void) | undefined;
  chain: Promise<void>;
}

export interface SoloOrdererOptions {
  readonly location: string;
  readonly limits: BlockCutterLimits;
  /** Ship a dependency graph with each block (default true); without one, peers build it themselves. */
  readonly dependencyGraphs?: boolean;
  /** Milliseconds; injectable so tests control time. */
  readonly now?: () => number;
}

export class SoloOrderer implements OrderingService {
  private readonly db: ClassicLevel<Uint8Array, Uint8Array>;
  private readonly cutter: BlockCutter<Signed, DependencyGraph | undefined>;
  private readonly now: () => number;
  private readonly listeners = new Set<Subscription>();
  private nextNumber = 0;
  private lastHash = GENESIS_PREVIOUS_HASH;
  private readonly recent = new Map<number, Block>();
  private writeChain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: SoloOrdererOptions) {
    this.db = new ClassicLevel<Uint8Array, Uint8Array>(options.location, { keyEncoding: 'view', valueEncoding: 'view' });
    // Without graphs the cutter's default indexer leaves each batch's index undefined.
    this.cutter = new BlockCutter<Signed, DependencyGraph | undefined>(options.limits, options.dependencyGraphs === false ? undefined : graphIndexer);
    this.now = options.now ?? Date.now;
  }

  async open(): Promise<void> {
    await this.db.open();
    const height = await this.db.get(utf8Encode(`${META_PREFIX}height`));
    if (height === undefined) {
      await this.appendBlock([]);
    } else {
      this.nextNumber = Number(utf8Decode(height));
      this.lastHash = utf8Decode((await this.db.get(utf8Encode(`${META_PREFIX}lastHash`)))!);
    }
  }

  get height(): number {
    return this.nextNumber;
  }

  async broadcast(envelope: Signed): Promise<void> {
    if (this.closed) throw new Error('orderer is closed');
    for (const batch of this.cutter.ordered(envelope, envelope.payload.length + envelope.signature.length, this.now())) this.enqueue(batch);
    this.schedule();
  }

  /** Cuts the pending transactions into a block now. */
  async cutNow(): Promise<void> {
    const batch = this.cutter.flush();
    if (batch) this.enqueue(batch);
    await this.writeChain;
  }

  deliver(fromBlock: number, listener: (block: Block) => Promise<void> | void, onFailure?: (err: unknown, blockNum: number) => void): () => void {
    const sub: Subscription = { next: fromBlock, listener, onFailure, chain: Promise.resolve() };
    this.listeners.add(sub);
    sub.chain = this.catchUp(sub);
    return () => this.listeners.delete(sub);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.cutNow();
    for (const sub of this.listeners) await sub.chain;
    this.listeners.clear();
    await this.db.close();
  }

  private enqueue(batch: Batch<Signed, DependencyGraph | undefined>): void {
    this.writeChain = this.writeChain.then(() => this.appendBlock(batch.txs, batch.index));
  }

  private async appendBlock(envelopes: Signed[], graph?: DependencyGraph): Promise<void> {
    const header = { number: this.nextNumber, previousHash: this.lastHash, dataHash: dataHashOf(envelopes) };
    const block: Block = graph ? { header: { ...header, graphHash: graphHashOf(graph) }, envelopes, graph } : { header, envelopes };
    const hash = blockHash(block.header);
    await this.db.batch([
      { type: 'put', key: concatKey(block.header.number), value: encodeBlock(block) },
      { type: 'put', key: utf8Encode(`${META_PREFIX}height`), value: utf8Encode(String(block.header.number + 1)) },
      { type: 'put', key: utf8Encode(`${META_PREFIX}lastHash`), value: utf8Encode(hash) },
    ]);
    this.nextNumber = block.header.number + 1;
    this.lastHash = hash;
    this.recent.set(block.header.number, block);
    this.recent.delete(block.header.number - RECENT_BLOCKS_KEPT);
    for (const sub of this.listeners) sub.chain = sub.chain.then(() => this.catchUp(sub));
  }

  /** Delivers stored blocks the subscriber has not seen yet, in order; a failing listener is unsubscribed, never left stuck. */
  private async catchUp(sub: Subscription): Promise<void> {
    while (sub.next < this.nextNumber && this.listeners.has(sub)) {
      try {
        const block = this.recent.get(sub.next) ?? (await this.stored(sub.next));
        if (block === undefined) return;
        await sub.listener(block);
      } catch (err) {
        this.listeners.delete(sub);
        sub.onFailure?.(err, sub.next);
        return;
      }
      sub.next++;
    }
  }

  private async stored(blockNum: number): Promise<Block | undefined> {
    const bytes = await this.db.get(concatKey(blockNum));
    return bytes === undefined ? undefined : decodeBlock(bytes);
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const deadline = this.cutter.deadlineMs;
    if (deadline === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const batch = this.cutter.tick(this.now());
      if (batch) this.enqueue(batch);
      this.schedule();
    }, Math.max(0, deadline - this.now()));
  }
}

function graphIndexer(): BatchIndexer<Signed, DependencyGraph> {
  const builder = new DependencyGraphBuilder();
  return { add: (envelope) => builder.add(accessOfEnvelope(envelope)), finish: () => builder.build() };
}

function concatKey(blockNum: number): Uint8Array {
  const prefix = utf8Encode(BLOCK_PREFIX);
  const key = new Uint8Array(prefix.length + 8);
  key.set(prefix);
  key.set(blockKey(blockNum), prefix.length);
  return key;
}
