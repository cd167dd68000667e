import type { Socket } from 'node:net';
import { FrameOutbox, FrameSplitter, Reader, Writer } from './wire';

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
