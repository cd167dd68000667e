// Serves a MemoryNode over TCP (wire.ts), so cNodes in other processes or on
// other machines use the same pool. Requests on one connection are handled in
// arrival order; every reply carries the node's free bytes; buffers the node
// frees are pushed to every connection before they can be reused.

import { createServer, type Server, type Socket } from 'node:net';
import type { MemoryNode } from '../remote-memory/memory-node';
import { EVICTION_FRAME_RECORD_BYTES_MAX, FrameOutbox, FrameSplitter, Op, PUSH_ID, Reader, STATUS_ERROR, STATUS_OK, Writer } from './wire';

export class MemoryNodeServer {
  private readonly server: Server;
  /** Each connection's outgoing frames; replies and pushes share it, so they leave in the order they were made. */
  private readonly outboxes = new Map<Socket, FrameOutbox>();
  port = 0;

  constructor(private readonly node: MemoryNode) {
    this.server = createServer((socket) => this.accept(socket));
    node.onFree((addresses) => {
      const push = new Writer().u32(PUSH_ID).u8(Op.FREED).u32(addresses.length);
      for (const a of addresses) push.f64(a);
      const frame = push.frame();
      for (const outbox of this.outboxes.values()) outbox.send(frame);
    });
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const address = this.server.address();
        this.port = typeof address === 'object' && address ? address.port : port;
        resolve(this.port);
      });
    });
  }

  close(): Promise<void> {
    for (const socket of this.outboxes.keys()) socket.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.setNoDelay(true);
    const outbox = new FrameOutbox(socket);
    this.outboxes.set(socket, outbox);
    let chain = Promise.resolve();
    const splitter = new FrameSplitter((body) => {
      // Keep replies in request order on this connection.
      const frame = Buffer.from(body);
      // handle() answers every failure with an error reply; the catch keeps one bug from stalling the connection.
      chain = chain.then(() => this.handle(frame).then((reply) => outbox.send(reply))).catch(() => {
        socket.destroy();
      });
    });
    socket.on('data', (chunk) => {
      try {
        splitter.push(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('close', () => this.outboxes.delete(socket));
    socket.on('error', () => socket.destroy());
  }

  private async handle(body: Buffer): Promise<Buffer> {
    const r = new Reader(body);
    const id = r.u32();
    const op = r.u8();
    const reply = new Writer().u32(id);
    try {
      const payload = await this.dispatch(op, r);
      return reply.u8(STATUS_OK).f64(this.node.stats.freeBytes).bytes(payload).frame();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      return reply.u8(STATUS_ERROR).f64(this.node.stats.freeBytes).bytes(new Writer().str(error.name).str(error.message).frame().subarray(4)).frame();
    }
  }

  private async dispatch(op: number, r: Reader): Promise<Uint8Array> {
    const node = this.node;
    const w = new Writer();
    switch (op) {
      case Op.READ:
        w.bytes(await node.read(r.f64()));
        break;
      case Op.WRITE:
        await node.write(r.f64(), r.bytes());
        break;
      case Op.ALLOCATE:
        w.f64((await node.allocate(r.u32())) ?? -1);
        break;
      case Op.RELEASE:
        await node.release(r.f64(), r.u32());
        break;
      case Op.LOOKUP:
        w.f64((await node.lookup(r.str())) ?? -1);
        break;
      case Op.LINK: {
        const outcome = await node.link(r.str(), r.f64(), { onlyIfAbsent: r.u8() === 1 });
        if (outcome.linked) w.u8(0).f64(outcome.previous ?? -1);
        else w.u8(outcome.reason === 'locked' ? 1 : 2).f64(-1);
        break;
      }
      case Op.KEYS:
        w.strings(await node.keys(r.str(), r.str(), r.u32()));
        break;
      case Op.STATS:
        w.str(JSON.stringify(node.stats));
        break;
      case Op.BEGIN_EVICTION: {
        const candidates = await node.beginEviction(r.strings(), EVICTION_FRAME_RECORD_BYTES_MAX);
        w.u32(candidates.length);
        for (const c of candidates) w.str(c.key).f64(c.address).bytes(c.record);
        break;
      }
      case Op.COMPLETE_EVICTION:
      case Op.ABORT_EVICTION: {
        const candidates = readCandidates(r);
        await (op === Op.COMPLETE_EVICTION ? node.completeEviction(candidates) : node.abortEviction(candidates));
        break;
      }
      case Op.SOME_KEYS:
        w.strings(await node.someKeys(r.u32()));
        break;
      case Op.COLLECT_GARBAGE:
        await node.collectGarbage();
        break;
      case Op.RESET:
        await node.reset();
        break;
      default:
        throw new Error(`unknown opcode ${op}`);
    }
    return w.frame().subarray(4);
  }
}

function readCandidates(r: Reader) {
  return Array.from({ length: r.count(16) }, () => ({ key: r.str(), address: r.f64(), record: r.bytes() }));
}
