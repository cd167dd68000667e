// The materialiser's protocol (paper §4.1.2, §4.3) as a pure state machine:
// inputs are events (a block committed, records evicted, a write finished or
// failed, a retry timer fired), outputs are effects for the driver
// (materializer.ts) to carry out. No I/O, no clock, no awaits, so a seeded
// simulation can drive it through any interleaving of faults.
//
// Rules it keeps:
// - One storage write at a time. Eviction flushes go ahead of queued blocks
//   (readers wait on them); a block queued earlier never holds a newer version
//   than an eviction took from memory.
// - The savepoint is written in the same atomic batch as the block's records,
//   and only for the block right after it: it never passes a block whose
//   records are not in storage.
// - A failed write is retried, with a growing delay, before anything behind
//   it; past materializeAttemptsMax attempts the materialiser halts (and with
//   it the peer) instead of skipping the block.
// - Eviction skips records at or below the savepoint (already materialised);
//   a live block skips keys whose newer version eviction wrote ahead; a
//   replayed block (recovery) keeps the newer version already in storage.

import { compareVersions, FlexChainError, type Version } from '@flexchain/sdk';
import { assertInvariant } from '../invariant';
import type { StoredRecord } from './storage-node';

export interface MaterializationLimits {
  /** Attempts of one storage write (the first included) before the materialiser halts the peer. */
  readonly materializeAttemptsMax: number;
  /** Wait before retrying a failed storage write, in ms; it doubles with each attempt. */
  readonly materializeRetryDelayMs: number;
  /** Longest wait between two attempts of a storage write, in ms. */
  readonly materializeRetryDelayMaxMs: number;
}

/** Storage kept failing a write: the peer stops rather than let the savepoint pass records it does not hold. */
export class MaterializationHaltedError extends FlexChainError {
  override name = 'MaterializationHaltedError';
}

/** Recovery replaced the queue: the job's records are replayed from the block store instead. */
export class MaterializationSupersededError extends FlexChainError {
  override name = 'MaterializationSupersededError';
}

export interface MaterializedBlock {
  readonly blockNum: number;
  /** Full state keys, in version order. */
  readonly writes: readonly StoredRecord[];
}

export type MaterializationJob =
  /** A block's writes; `replay` for recovery, which keeps newer versions already in storage. */
  | { readonly kind: 'block'; readonly block: MaterializedBlock; readonly replay: boolean }
  /** Records evicted from remote memory. */
  | { readonly kind: 'evicted'; readonly records: readonly StoredRecord[] };

export type MaterializationEffect =
  /** Write `records` (newer versions only when ifNewer) and, if given, the savepoint, in one atomic batch; then report written or failed. */
  | { readonly type: 'write'; readonly ticket: number; readonly records: readonly StoredRecord[]; readonly ifNewer: boolean; readonly savepoint: number | undefined }
  /** Call retryDue after delayMs. */
  | { readonly type: 'retry-after'; readonly delayMs: number }
  /** The job `ticket` is done (error undefined) or will never be. */
  | { readonly type: 'settle'; readonly ticket: number; readonly error: FlexChainError | undefined }
  /** Storage failed for good: the peer must stop. */
  | { readonly type: 'halt'; readonly error: MaterializationHaltedError };

interface Queued {
  readonly ticket: number;
  readonly job: MaterializationJob;
  /** Attempts made so far. */
  attempts: number;
  /** Failed, and waiting for its retry timer at the head of its queue. */
  waiting: boolean;
  /** Recovery took over while it was being written: finish the write, never retry it. */
  abandoned: boolean;
}

export class MaterializationCore {
  private savepointBlock: number;
  private readonly urgent: Queued[] = [];
  private readonly normal: Queued[] = [];
  /** The write in progress. */
  private running: Queued | undefined;
  /** Versions evicted ahead of materialisation; dropped once the savepoint passes them. */
  private readonly evictedAhead = new Map<string, Version>();
  private haltedBy: MaterializationHaltedError | undefined;
  private nextTicket = 1;
  private queuedBlocks = 0;

  constructor(
    savepoint: number,
    private readonly limits: MaterializationLimits,
  ) {
    this.savepointBlock = savepoint;
  }

  /** Number of the last block whose writes are in storage; -1 before the first. */
  get savepoint(): number {
    return this.savepointBlock;
  }

  get halted(): MaterializationHaltedError | undefined {
    return this.haltedBy;
  }

  /** Blocks waiting to be materialised, the one being written included. */
  get backlog(): number {
    return this.queuedBlocks;
  }

  /** Nothing queued, waiting for a retry, or being written. */
  get idle(): boolean {
    return this.running === undefined && this.urgent.length === 0 && this.normal.length === 0;
  }

  /** Queues a job; its ticket is settled by a later effect (at once, when halted). */
  submit(job: MaterializationJob): { ticket: number; effects: MaterializationEffect[] } {
    const ticket = this.nextTicket++;
    if (this.haltedBy) return { ticket, effects: [{ type: 'settle', ticket, error: this.haltedBy }] };
    if (job.kind === 'block') this.queuedBlocks++;
    (job.kind === 'evicted' ? this.urgent : this.normal).push({ ticket, job, attempts: 0, waiting: false, abandoned: false });
    return { ticket, effects: this.next() };
  }

  /** The write of `ticket` is durable. */
  written(ticket: number): MaterializationEffect[] {
    const running = this.finishing(ticket, 'done');
    const { job } = running;
    if (job.kind === 'block') {
      this.queuedBlocks--;
      if (job.block.blockNum > this.savepointBlock) this.advance(job.block.blockNum);
    }
    return [{ type: 'settle', ticket, error: undefined }, ...this.next()];
  }

  /** The write of `ticket` failed; `cause` says why. */
  failed(ticket: number, cause: string): MaterializationEffect[] {
    const running = this.finishing(ticket, 'failed');
    if (running.abandoned) {
      if (running.job.kind === 'block') this.queuedBlocks--;
      return [{ type: 'settle', ticket, error: superseded() }, ...this.next()];
    }
    if (running.attempts >= this.limits.materializeAttemptsMax) return this.halt(running, cause);
    const delayMs = Math.min(this.limits.materializeRetryDelayMaxMs, this.limits.materializeRetryDelayMs * 2 ** (running.attempts - 1));
    // Back at the head of its queue. A block waiting lets flushes go ahead (they hold the newest
    // versions, and its retry skips what they wrote); a flush waiting holds back everything.
    running.waiting = true;
    this.queueOf(running).unshift(running);
    return [{ type: 'retry-after', delayMs }, ...this.next()];
  }

  /** The retry timer asked for by the last failure fired. */
  retryDue(): MaterializationEffect[] {
    for (const queue of [this.urgent, this.normal]) if (queue[0]) queue[0].waiting = false;
    return this.next();
  }

  /**
   * Recovery will replay every block after the savepoint from the block store:
   * queued jobs are dropped (their tickets settled as superseded), a job
   * waiting to be retried is dropped too, and a write in progress finishes but
   * is not retried. Evicted-ahead versions are forgotten: memory is rebuilt
   * from storage.
   */
  abandon(): MaterializationEffect[] {
    const effects: MaterializationEffect[] = [];
    for (const queued of [...this.urgent.splice(0), ...this.normal.splice(0)]) {
      if (queued.job.kind === 'block') this.queuedBlocks--;
      effects.push({ type: 'settle', ticket: queued.ticket, error: superseded() });
    }
    if (this.running) this.running.abandoned = true;
    this.evictedAhead.clear();
    return effects;
  }

  private queueOf(queued: Queued): Queued[] {
    return queued.job.kind === 'evicted' ? this.urgent : this.normal;
  }

  private finishing(ticket: number, outcome: string): Queued {
    const running = this.running;
    assertInvariant(running !== undefined && running.ticket === ticket, `materialiser: write ${ticket} reported ${outcome} but it is not the one in progress`);
    this.running = undefined;
    return running;
  }

  private next(): MaterializationEffect[] {
    const effects: MaterializationEffect[] = [];
    while (!this.running && !this.haltedBy) {
      const queue = this.urgent.length > 0 ? this.urgent : this.normal;
      if (queue.length === 0 || queue[0]!.waiting) break;
      const queued = queue.shift()!;
      const { job } = queued;
      if (job.kind === 'block' && job.replay && job.block.blockNum <= this.savepointBlock) {
        // Already in storage: nothing to write.
        this.queuedBlocks--;
        effects.push({ type: 'settle', ticket: queued.ticket, error: undefined });
        continue;
      }
      queued.attempts++;
      this.running = queued;
      effects.push(this.writeOf(queued));
    }
    return effects;
  }

  private writeOf(running: Queued): MaterializationEffect {
    const { job, ticket } = running;
    if (job.kind === 'evicted') {
      const fresh = job.records.filter((r) => r.version.blockNum > this.savepointBlock);
      for (const r of fresh) this.evictedAhead.set(r.key, r.version);
      return { type: 'write', ticket, records: fresh, ifNewer: false, savepoint: undefined };
    }
    const { blockNum, writes } = job.block;
    assertInvariant(blockNum === this.savepointBlock + 1, `materialiser: block ${blockNum} would move the savepoint from ${this.savepointBlock}, past blocks not in storage`);
    if (job.replay) return { type: 'write', ticket, records: writes, ifNewer: true, savepoint: blockNum };
    const records = writes.filter((w) => {
      const evicted = this.evictedAhead.get(w.key);
      return evicted === undefined || compareVersions(w.version, evicted) >= 0;
    });
    return { type: 'write', ticket, records, ifNewer: false, savepoint: blockNum };
  }

  private advance(blockNum: number): void {
    this.savepointBlock = blockNum;
    for (const [key, version] of this.evictedAhead) if (version.blockNum <= blockNum) this.evictedAhead.delete(key);
  }

  private halt(running: Queued, cause: string): MaterializationEffect[] {
    const what = running.job.kind === 'block' ? `block ${running.job.block.blockNum}` : `${running.job.records.length} evicted record(s)`;
    const error = new MaterializationHaltedError(`Storage refused the writes of ${what} ${running.attempts} times (last: ${cause}); the savepoint stays at block ${this.savepointBlock}.`, {
      hint: 'Check the peer\'s disk (space, permissions, errors) and restart it: recovery materialises every block after the savepoint from the block store.',
    });
    this.haltedBy = error;
    const effects: MaterializationEffect[] = [{ type: 'halt', error }, { type: 'settle', ticket: running.ticket, error }];
    for (const queued of [...this.urgent.splice(0), ...this.normal.splice(0)]) effects.push({ type: 'settle', ticket: queued.ticket, error });
    this.queuedBlocks = 0;
    return effects;
  }
}

const superseded = () => new MaterializationSupersededError('Recovery replays this block from the block store instead.');
