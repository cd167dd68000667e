// Binary framing of the cNode <-> mNode TCP protocol (docs/remote-memory-format.md).
//
// Request:  u32 frame length | u32 request id | u8 opcode | payload
// Reply:    u32 frame length | u32 request id | u8 status (0 ok, 1 error) | f64 free bytes | payload
// Push:     u32 frame length | u32 0xFFFFFFFF  | u8 opcode FREED | u32 count | f64 addresses
// The frame length counts what follows it. Requests are pipelined: a client
// may send many before the first reply, and matches replies by id.
// Opcodes are a wire format: do not renumber.

import type { Socket } from 'node:net';
import { FlexChainError } from '@flexchain/sdk';

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
/** Smallest frame body: a request id and an opcode (or status). */
export const FRAME_BODY_BYTES_MIN = 5;
/**
 * Record bytes one eviction round moves in one frame (a BEGIN_EVICTION reply, a
 * COMPLETE or ABORT request): half the frame cap, leaving room for keys and framing.
 */
export const EVICTION_FRAME_RECORD_BYTES_MAX = FRAME_BYTES_MAX / 2;

/** A frame that does not follow the protocol: the connection that sent it is closed. */
export class WireFrameInvalidError extends FlexChainError {
  override name = 'WireFrameInvalidError';
}

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

/** Reads typed fields from one frame body; a field past its end throws WireFrameInvalidError. */
export class Reader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  /** Claims n bytes at the cursor and returns where they start. */
  private take(n: number): number {
    const at = this.at;
    if (at + n > this.buf.length) throw new WireFrameInvalidError(`A frame of ${this.buf.length} bytes ends inside a field (${n} bytes at ${at}).`, { hint: 'The peer on the other end does not speak this protocol version.' });
    this.at = at + n;
    return at;
  }

  u8(): number {
    return this.buf.readUInt8(this.take(1));
  }

  u32(): number {
    return this.buf.readUInt32BE(this.take(4));
  }

  f64(): number {
    return this.buf.readDoubleBE(this.take(8));
  }

  /** The next length-prefixed field as a view into the frame, not a copy. */
  view(): Buffer {
    const n = this.u32();
    const at = this.take(n);
    return this.buf.subarray(at, at + n);
  }

  bytes(): Uint8Array {
    return new Uint8Array(this.view());
  }

  /** Count of a list whose items take at least itemBytesMin each: bounded by what is left of the frame. */
  count(itemBytesMin: number): number {
    const n = this.u32();
    if (n * itemBytesMin > this.buf.length - this.at) throw new WireFrameInvalidError(`A frame claims ${n} items but holds only ${this.buf.length - this.at} more bytes.`);
    return n;
  }

  str(): string {
    return this.view().toString('utf8');
  }

  strings(): string[] {
    return Array.from({ length: this.count(4) }, () => this.str());
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

/**
 * Splits a TCP byte stream into frame bodies. Chunks of a frame are kept
 * apart and joined once, when the frame is complete: a large frame arriving
 * in small chunks costs one copy, not one per chunk. A frame outside
 * [FRAME_BODY_BYTES_MIN, FRAME_BYTES_MAX] throws WireFrameInvalidError.
 */
export class FrameSplitter {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Body length of the frame being received, once its prefix is in. */
  private expected: number | undefined;

  constructor(private readonly onFrame: (body: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    for (;;) {
      if (this.expected === undefined) {
        if (this.bytes < 4) return;
        const length = this.head(4).readUInt32BE(0);
        if (length > FRAME_BYTES_MAX) throw new WireFrameInvalidError(`A frame of ${length} bytes exceeds the ${FRAME_BYTES_MAX}-byte cap.`);
        if (length < FRAME_BODY_BYTES_MIN) throw new WireFrameInvalidError(`A frame of ${length} bytes is shorter than the ${FRAME_BODY_BYTES_MIN} bytes of an id and an opcode.`);
        this.consume(4);
        this.expected = length;
      }
      if (this.bytes < this.expected) return;
      const body = this.head(this.expected);
      this.consume(this.expected);
      this.expected = undefined;
      this.onFrame(body);
    }
  }

  /** The first n buffered bytes as one buffer (joining chunks only when they straddle). */
  private head(n: number): Buffer {
    if (this.chunks[0]!.length < n) this.chunks = [Buffer.concat(this.chunks, this.bytes)];
    return this.chunks[0]!.subarray(0, n);
  }

  private consume(n: number): void {
    this.bytes -= n;
    while (n > 0) {
      const first = this.chunks[0]!;
      if (first.length > n) {
        this.chunks[0] = first.subarray(n);
        return;
      }
      this.chunks.shift();
      n -= first.length;
    }
  }
}
