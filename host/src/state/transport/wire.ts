// Binary framing of the cNode <-> mNode TCP protocol (docs/remote-memory-format.md).
//
// Request:  u32 frame length | u32 request id | u8 opcode | payload
// Reply:    u32 frame length | u32 request id | u8 status (0 ok, 1 error) | f64 free bytes | payload
// Push:     u32 frame length | u32 0xFFFFFFFF  | u8 opcode FREED | u32 count | f64 addresses
// The frame length counts what follows it. Requests are pipelined: a client
// may send many before the first reply, and matches replies by id.
// Opcodes are a wire format: do not renumber.

import type { Socket } from 'node:net';

export const Op = {
  READ: 1,
  WRITE: 2,
  ALLOCATE: 3,
  RELEASE: 4,
  LOOKUP: 5,
  LINK: 6,
  KEYS: 7,
  STATS: 8,
  BEGIN_EVICTION: 9,
  COMPLETE_EVICTION: 10,
  ABORT_EVICTION: 11,
  SOME_KEYS: 12,
  COLLECT_GARBAGE: 13,
  RESET: 14,
  FREED: 100,
} as const;

export const PUSH_ID = 0xffffffff;
export const STATUS_OK = 0;
export const STATUS_ERROR = 1;
/** Largest frame accepted, in bytes: a record is at most a slab, plus framing. */
export const FRAME_BYTES_MAX = 64 * 1024 * 1024;

/** Appends typed fields to a growing buffer. */
export class Writer {
  private buf = Buffer.allocUnsafe(256);
  private at = 0;

  private room(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.at + n));
    this.buf.copy(next, 0, 0, this.at);
    this.buf = next;
  }

  u8(v: number): this {
    this.room(1);
    this.buf.writeUInt8(v, this.at++);
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.buf.writeUInt32BE(v, this.at);
    this.at += 4;
    return this;
  }

  f64(v: number): this {
    this.room(8);
    this.buf.writeDoubleBE(v, this.at);
    this.at += 8;
    return this;
  }

  bytes(v: Uint8Array): this {
    this.u32(v.length);
    this.room(v.length);
    this.buf.set(v, this.at);
    this.at += v.length;
    return this;
  }

  str(v: string): this {
    return this.bytes(Buffer.from(v, 'utf8'));
  }

  strings(v: readonly string[]): this {
    this.u32(v.length);
    for (const s of v) this.str(s);
    return this;
  }

  /** The frame: length prefix, then everything written. */
  frame(): Buffer {
    const out = Buffer.allocUnsafe(4 + this.at);
    out.writeUInt32BE(this.at, 0);
    this.buf.copy(out, 4, 0, this.at);
    return out;
  }
}

/** Reads typed fields from one frame body. */
export class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  u8(): number {
    return this.buf.readUInt8(this.at++);
  }

  u32(): number {
    const v = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return v;
  }

  f64(): number {
    const v = this.buf.readDoubleBE(this.at);
    this.at += 8;
    return v;
  }

  /** The next length-prefixed field as a view into the frame, not a copy. */
  view(): Buffer {
    const n = this.u32();
    const v = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return v;
  }

  bytes(): Uint8Array {
    const n = this.u32();
    const v = new Uint8Array(this.buf.subarray(this.at, this.at + n));
    this.at += n;
    return v;
  }

  str(): string {
    return this.view().toString('utf8');
  }

  strings(): string[] {
    return Array.from({ length: this.u32() }, () => this.str());
  }
}

/**
 * Frames bound for one socket. Every frame queued before the microtask queue
 * drains goes out in one write: a validation step's parallel reads, or the
 * replies to one received chunk, cost one system call instead of one each
 * (and one buffer, not a writev of many small ones).
 */
export class FrameOutbox {
  private queued: Buffer[] = [];
  private queuedBytes = 0;

  constructor(private readonly socket: Socket) {}

  send(frame: Buffer): void {
    if (this.queued.length === 0) process.nextTick(() => this.flush());
    this.queued.push(frame);
    this.queuedBytes += frame.length;
  }

  private flush(): void {
    const frames = this.queued;
    this.queued = [];
    if (!this.socket.destroyed) this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames, this.queuedBytes));
    this.queuedBytes = 0;
  }
}

/** Splits a TCP byte stream into frame bodies. */
export class FrameSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (body: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 4) {
      const length = this.pending.readUInt32BE(0);
      if (length > FRAME_BYTES_MAX) throw new Error(`frame of ${length} bytes exceeds ${FRAME_BYTES_MAX}`);
      if (this.pending.length < 4 + length) return;
      const body = this.pending.subarray(4, 4 + length);
      this.pending = this.pending.subarray(4 + length);
      this.onFrame(body);
    }
  }
}
