// Collects messages and sends them as one batch when the current turn of the
// event loop ends, or sooner when the batch reaches its bounds: one IPC message
// or one gRPC stream message costs far more than its contents.

export interface OutboxLimits {
  /** Most messages in one batch. */
  readonly itemsMax?: number;
  /** Most bytes (as push() counts them) in one batch. */
  readonly bytesMax?: number;
}

export class Outbox<T> {
  private batch: T[] = [];
  private bytes = 0;

  constructor(
    private readonly sendBatch: (batch: T[]) => void,
    private readonly limits: OutboxLimits = {},
  ) {}

  push(message: T, bytes = 0): void {
    if (this.batch.length > 0 && this.limits.bytesMax !== undefined && this.bytes + bytes > this.limits.bytesMax) this.flush();
    if (this.batch.length === 0) setImmediate(this.flush);
    this.batch.push(message);
    this.bytes += bytes;
    if (this.limits.itemsMax !== undefined && this.batch.length >= this.limits.itemsMax) this.flush();
  }

  readonly flush = (): void => {
    const batch = this.batch;
    this.batch = [];
    this.bytes = 0;
    if (batch.length > 0) this.sendBatch(batch);
  };
}
