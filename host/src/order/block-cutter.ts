// Block cutting as a pure state machine: transactions and clock ticks in,
// batches out. No timers, no I/O; the orderer passes the time in.
//
// A batch is cut when adding a transaction would exceed blockBytesMax (the
// pending batch is cut first), when it reaches blockTxCountMax, or on a tick
// at least blockTimeoutMs after the batch's first transaction arrived.
// Invariant: a cut batch is never empty and never exceeds either limit, except
// a single transaction larger than blockBytesMax, which travels alone.

export interface BlockCutterLimits {
  readonly blockTxCountMax: number;
  readonly blockBytesMax: number;
  readonly blockTimeoutMs: number;
}

export class BlockCutter<T> {
  private pending: T[] = [];
  private pendingBytes = 0;
  private firstArrivalMs = 0;

  constructor(private readonly limits: BlockCutterLimits) {}

  /** Adds a transaction of `bytes` size arriving at `nowMs`; returns the batches it completes (0, 1 or 2). */
  ordered(tx: T, bytes: number, nowMs: number): T[][] {
    const batches: T[][] = [];
    if (this.pending.length > 0 && this.pendingBytes + bytes > this.limits.blockBytesMax) batches.push(this.cut());
    if (this.pending.length === 0) this.firstArrivalMs = nowMs;
    this.pending.push(tx);
    this.pendingBytes += bytes;
    if (this.pending.length >= this.limits.blockTxCountMax || this.pendingBytes >= this.limits.blockBytesMax) batches.push(this.cut());
    return batches;
  }

  /** Returns the pending batch if its timeout has passed at `nowMs`. */
  tick(nowMs: number): T[] | undefined {
    return this.pending.length > 0 && nowMs - this.firstArrivalMs >= this.limits.blockTimeoutMs ? this.cut() : undefined;
  }

  /** Cuts whatever is pending now (used on shutdown and by tests). */
  flush(): T[] | undefined {
    return this.pending.length > 0 ? this.cut() : undefined;
  }

  /** When the pending batch times out, or undefined if nothing is pending. */
  get deadlineMs(): number | undefined {
    return this.pending.length > 0 ? this.firstArrivalMs + this.limits.blockTimeoutMs : undefined;
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  private cut(): T[] {
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    return batch;
  }
}
