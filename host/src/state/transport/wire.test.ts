import type { Socket } from 'node:net';
import { FRAME_BYTES_MAX, FrameOutbox, FrameSplitter, Reader, WireFrameInvalidError, Writer } from './wire';
import { mulberry32 } from '../../bench/random';

/** A socket that records what is written to it. */
function recordingSocket() {
  const writes: Buffer[] = [];
  const socket = { destroyed: false, write: (b: Buffer) => writes.push(Buffer.from(b)) };
  return { writes, socket: socket as unknown as Socket & { destroyed: boolean } };
}

const frame = (n: number) => new Writer().u32(n).str(`frame ${n}`).frame();

describe('FrameOutbox', () => {
  it('sends the frames queued in one turn as one write, in order, and the next turn as another', async () => {
    const { writes, socket } = recordingSocket();
    const outbox = new FrameOutbox(socket);
    outbox.send(frame(1));
    await Promise.resolve();
    outbox.send(frame(2));
    outbox.send(frame(3));
    expect(writes).toHaveLength(0);
    await new Promise((r) => setImmediate(r));
    outbox.send(frame(4));
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(2);
    const bodies: string[] = [];
    const splitter = new FrameSplitter((body) => {
      const r = new Reader(body);
      bodies.push(`${r.u32()}:${r.str()}`);
    });
    for (const w of writes) splitter.push(w);
    expect(bodies).toEqual(['1:frame 1', '2:frame 2', '3:frame 3', '4:frame 4']);
  });

  it('drops what is queued once the socket is destroyed', async () => {
    const { writes, socket } = recordingSocket();
    const outbox = new FrameOutbox(socket);
    outbox.send(frame(1));
    socket.destroyed = true;
    await new Promise((r) => setImmediate(r));
    expect(writes).toHaveLength(0);
  });
});

describe('FrameSplitter', () => {
  const collect = () => {
    const bodies: Buffer[] = [];
    return { bodies, splitter: new FrameSplitter((body) => bodies.push(Buffer.from(body))) };
  };

  it('reassembles frames however the stream is chunked', () => {
    const frames = Array.from({ length: 50 }, (_, i) => new Writer().u32(i).u8(1).bytes(new Uint8Array(i * 37).fill(i)).frame());
    const stream = Buffer.concat(frames);
    const random = mulberry32(7);
    for (let trial = 0; trial < 20; trial++) {
      const { bodies, splitter } = collect();
      for (let at = 0; at < stream.length; ) {
        const n = 1 + Math.floor(random() * (trial % 2 ? 8 : 3000));
        splitter.push(stream.subarray(at, at + n));
        at += n;
      }
      expect(bodies.map((b) => b.readUInt32BE(0))).toEqual(frames.map((_, i) => i));
      expect(Buffer.concat(bodies.map((b, i) => Buffer.concat([frames[i]!.subarray(0, 4), b])))).toEqual(stream);
    }
  });

  // Issue 13, finding 12: a 60 MiB frame in 64 KiB chunks was re-concatenated on every chunk.
  it('takes a large frame in small chunks whole', () => {
    const body = Buffer.alloc(48 * 1024 * 1024, 7);
    body.writeUInt32BE(9, 0);
    const framed = new Writer().u32(9).u8(1).bytes(body).frame();
    const { bodies, splitter } = collect();
    for (let at = 0; at < framed.length; at += 64 * 1024) splitter.push(framed.subarray(at, at + 64 * 1024));
    expect(bodies).toHaveLength(1);
    expect(bodies[0]!.length).toBe(framed.length - 4);
  });

  it('refuses frames shorter than an id and an opcode, and frames over the cap', () => {
    const short = Buffer.from([0, 0, 0, 3, 1, 2, 3]);
    expect(() => collect().splitter.push(short)).toThrow(WireFrameInvalidError);
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(FRAME_BYTES_MAX + 1, 0);
    expect(() => collect().splitter.push(huge)).toThrow(/exceeds the 67108864-byte cap/);
  });
});

describe('Reader', () => {
  it('throws WireFrameInvalidError for a field past the end of its frame, and for counts the frame cannot hold', () => {
    expect(() => new Reader(Buffer.from([0, 0, 0, 1])).f64()).toThrow(WireFrameInvalidError);
    expect(() => new Reader(Buffer.from([0, 0, 0, 9, 1, 2])).bytes()).toThrow(/ends inside a field/);
    expect(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff])).strings()).toThrow(/claims 4294967295 items/);
    expect(new Reader(new Writer().strings(['a', 'bc']).frame().subarray(4)).strings()).toEqual(['a', 'bc']);
  });
});
