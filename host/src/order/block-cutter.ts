// Block cutting as a pure state machine: transactions and clock ticks in,
// batches out. No timers, no I/O; the orderer passes the time in.
//
// A batch is cut when adding a transaction would exceed blockBytesMax (the
// pending batch is cut first), when it reaches blockTxCountMax, or on a tick
// at least blockTimeoutMs after the batch's first transaction arrived.
// Invariant: a cut batch is never empty and never exceeds either limit, except
// a single transaction larger than blockBytesMax, which travels alone.
//
// An optional indexer sees each transaction as it joins the pending batch and
// is finished when the batch is cut: the orderer builds the block's dependency
// graph this way, incrementally, with no second pass over the batch.

export interface BlockCutterLimits {
  readonly blockTxCountMax: number;
  readonly blockBytesMax: number;
  readonly blockTimeoutMs: number;
}

export interface BatchIndexer<T, I> {
  add(tx: T): void;
  finish(): I;
}

export interface Batch<T, I> {
  readonly txs: T[];
  readonly index: I;
}

const noIndex = (): BatchIndexer<unknown, undefined> => ({ add: () => undefined, finish: () => undefined });

export class BlockCutter<T, I = undefined> {
  private pending: T[] = [];
  private pendingBytes = 0;
  private firstArrivalMs = 0;
  private indexer: BatchIndexer<T, I>;

  constructor(
    private readonly limits: BlockCutterLimits,
    private readonly newIndexer: () => BatchIndexer<T, I> = noIndex as () => BatchIndexer<T, I>,
  ) {
    this.indexer = newIndexer();
  }

  /** Adds a transaction of `bytes` size arriving at `nowMs`; returns the batches it completes (0, 1 or 2). */
  ordered(tx: T, bytes: number, nowMs: number): Batch<T, I>[] {
    const batches: Batch<T, I>[] = [];
    if (this.pending.length > 0 && this.pendingBytes + bytes > this.limits.blockBytesMax) batches.push(this.cut());
    if (this.pending.length === 0) this.firstArrivalMs = nowMs;
    this.pending.push(tx);
    this.indexer.add(tx);
    this.pendingBytes += bytes;
    if (this.pending.length >= this.limits.blockTxCountMax || this.pendingBytes >= this.limits.blockBytesMax) batches.push(this.cut());
    return batches;
  }

  /** Returns the pending batch if its timeout has passed at `nowMs`. */
  tick(nowMs: number): Batch<T, I> | undefined {
    return this.pending.length > 0 && nowMs - this.firstArrivalMs >= this.limits.blockTimeoutMs ? this.cut() : undefined;
  }

  /** Cuts whatever is pending now (used on shutdown and by tests). */
  flush(): Batch<T, I> | undefined {
    return this.pending.length > 0 ? this.cut() : undefined;
  }

  /** When the pending batch times out, or undefined if nothing is pending. */
  get deadlineMs(): number | undefined {
    return this.pending.length > 0 ? this.firstArrivalMs + this.limits.blockTimeoutMs : undefined;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  private cut(): Batch<T, I> {
    const batch = { txs: this.pending, index: this.indexer.finish() };
    this.pending = [];
    this.pendingBytes = 0;
    this.indexer = this.newIndexer();
    return batch;
  }
}
