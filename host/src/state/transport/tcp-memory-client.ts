// A memory node reached over TCP (wire.ts). Requests are pipelined on one
// connection and matched to replies by id; the free bytes every reply carries
// keep `stats.freeBytes` current for the eviction trigger.

import { connect, type Socket } from 'node:net';
import { FlexChainError } from '@flexchain/sdk';
import { RemoteAddressInvalidError, type EvictionCandidate } from '../remote-memory/memory-node';
import type { FreeListener, MemoryControl, MemoryStats, MemoryThreadAccess } from '../remote-memory/memory-control';
import type { LinkOutcome } from '../remote-memory/remote-memory';
import { EVICTION_FRAME_RECORD_BYTES_MAX, FrameOutbox, FrameSplitter, Op, PUSH_ID, Reader, STATUS_OK, Writer } from './wire';

export class MemoryNodeUnreachableError extends FlexChainError {
  override name = 'MemoryNodeUnreachableError';
}

interface Pending {
  resolve: (reader: Reader) => void;
  reject: (err: Error) => void;
  /** When it was sent, in ms (performance.now()). */
  readonly sentAtMs: number;
}

/** How long a request may wait for its reply before the memory node counts as lost, in ms (HostConfig.memoryRequestTimeoutMs). */
export const MEMORY_REQUEST_TIMEOUT_MS = 10_000;
/** Sweeps for overdue replies per timeout period. */
const TIMEOUT_SWEEPS = 4;

export class TcpMemoryClient implements MemoryControl {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly freeListeners: FreeListener[] = [];
  private cached: MemoryStats = { keys: 0, usedBytes: 0, capacityBytes: 0, budgetBytes: 0, freeBytes: Number.MAX_SAFE_INTEGER, slabs: 0, garbageBytes: 0, evictedKeys: 0, collectedVersions: 0 };
  private closed: Error | undefined;
  private readonly outbox: FrameOutbox;
  private sweeper: NodeJS.Timeout | undefined;

  readonly endpoint: string;

  private constructor(
    private readonly socket: Socket,
    private readonly host: string,
    private readonly port: number,
    private readonly requestTimeoutMs: number,
  ) {
    this.endpoint = `${host}:${port}`;
    this.outbox = new FrameOutbox(socket);
    const splitter = new FrameSplitter((body) => this.receive(body));
    socket.on('data', (chunk) => {
      try {
        splitter.push(chunk);
      } catch (err) {
        // A reply that breaks the protocol: nothing after it on this connection can be trusted.
        fail(err instanceof Error ? err : new Error(String(err)));
        socket.destroy();
      }
    });
    const fail = (err?: Error) => this.fail(err);
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  /** `requestTimeoutMs`: a request unanswered this long means the node is lost (the connection is closed). */
  static connect(host: string, port: number, requestTimeoutMs = MEMORY_REQUEST_TIMEOUT_MS): Promise<TcpMemoryClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, noDelay: true });
      socket.once('connect', async () => {
        const client = new TcpMemoryClient(socket, host, port, requestTimeoutMs);
        try {
          await client.refreshStats();
          resolve(client);
        } catch (err) {
          reject(err);
        }
      });
      socket.once('error', (err) => reject(new MemoryNodeUnreachableError(`Cannot reach the memory node at ${host}:${port}.`, { details: err.message, hint: 'Start it with `flexchain node --role mnode`.' })));
    });
  }

  get stats(): MemoryStats {
    return this.cached;
  }

  async refreshStats(): Promise<void> {
    const r = await this.request(Op.STATS, () => undefined);
    this.cached = { ...(JSON.parse(r.str()) as MemoryStats) };
  }

  async read(address: number): Promise<Uint8Array> {
    return (await this.request(Op.READ, (w) => w.f64(address))).bytes();
  }

  async write(address: number, record: Uint8Array): Promise<void> {
    await this.request(Op.WRITE, (w) => w.f64(address).bytes(record));
  }

  async allocate(bytes: number): Promise<number | undefined> {
    const address = (await this.request(Op.ALLOCATE, (w) => w.u32(bytes))).f64();
    return address < 0 ? undefined : address;
  }

  async release(address: number, bytes: number): Promise<void> {
    await this.request(Op.RELEASE, (w) => w.f64(address).u32(bytes));
  }

  async lookup(key: string): Promise<number | undefined> {
    const address = (await this.request(Op.LOOKUP, (w) => w.str(key))).f64();
    return address < 0 ? undefined : address;
  }

  async link(key: string, address: number, options: { onlyIfAbsent?: boolean } = {}): Promise<LinkOutcome> {
    const r = await this.request(Op.LINK, (w) => w.str(key).f64(address).u8(options.onlyIfAbsent ? 1 : 0));
    const status = r.u8();
    const previous = r.f64();
    if (status === 0) return { linked: true, previous: previous < 0 ? undefined : previous };
    return { linked: false, reason: status === 1 ? 'locked' : 'present' };
  }

  async keys(startKey: string, endKey: string, limit: number): Promise<string[]> {
    return (await this.request(Op.KEYS, (w) => w.str(startKey).str(endKey).u32(Math.min(limit, 0xffffffff)))).strings();
  }

  async beginEviction(keys: readonly string[]): Promise<EvictionCandidate[]> {
    const r = await this.request(Op.BEGIN_EVICTION, (w) => w.strings(keys));
    return Array.from({ length: r.count(16) }, () => ({ key: r.str(), address: r.f64(), record: r.bytes() }));
  }

  async completeEviction(candidates: readonly EvictionCandidate[]): Promise<void> {
    for (const part of framedParts(candidates)) await this.request(Op.COMPLETE_EVICTION, (w) => writeCandidates(w, part));
  }

  async abortEviction(candidates: readonly EvictionCandidate[]): Promise<void> {
    for (const part of framedParts(candidates)) await this.request(Op.ABORT_EVICTION, (w) => writeCandidates(w, part));
  }

  async someKeys(count: number): Promise<string[]> {
    return (await this.request(Op.SOME_KEYS, (w) => w.u32(count))).strings();
  }

  async collectGarbage(): Promise<void> {
    await this.request(Op.COLLECT_GARBAGE, () => undefined);
  }

  async reset(): Promise<void> {
    await this.request(Op.RESET, () => undefined);
  }

  /** True once the connection is gone; requests then fail with MemoryNodeUnreachableError. */
  get broken(): boolean {
    return this.closed !== undefined;
  }

  onFree(listener: FreeListener): void {
    this.freeListeners.push(listener);
  }

  threadAccess(): MemoryThreadAccess {
    return { kind: 'tcp', host: this.host, port: this.port };
  }

  close(): void {
    this.socket.destroy();
  }

  private fail(err?: Error): void {
    if (this.closed) return;
    this.closed = new MemoryNodeUnreachableError(`Lost the connection to the memory node at ${this.endpoint}.`, { ...(err ? { details: err.message } : {}), hint: 'Restart the memory node; the peer recovers state from storage.' });
    clearInterval(this.sweeper);
    for (const p of this.pending.values()) p.reject(this.closed);
    this.pending.clear();
  }

  /** A reply overdue by requestTimeoutMs: a node that stopped answering is as lost as one that hung up. */
  private sweep(): void {
    const oldest = this.pending.values().next();
    if (oldest.done) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
      return;
    }
    const waitedMs = performance.now() - oldest.value.sentAtMs;
    if (waitedMs < this.requestTimeoutMs) return;
    this.fail(new Error(`no reply in ${Math.round(waitedMs)} ms (the limit is ${this.requestTimeoutMs} ms)`));
    this.socket.destroy();
  }

  private request(op: number, body: (w: Writer) => unknown): Promise<Reader> {
    if (this.closed) return Promise.reject(this.closed);
    const id = this.nextId;
    this.nextId = this.nextId >= PUSH_ID - 1 ? 1 : this.nextId + 1;
    const w = new Writer().u32(id).u8(op);
    body(w);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, sentAtMs: performance.now() });
      this.sweeper ??= setInterval(() => this.sweep(), this.requestTimeoutMs / TIMEOUT_SWEEPS).unref();
      this.outbox.send(w.frame());
    });
  }

  private receive(body: Buffer): void {
    const r = new Reader(body);
    const id = r.u32();
    if (id === PUSH_ID) {
      if (r.u8() === Op.FREED) {
        const addresses = Array.from({ length: r.count(8) }, () => r.f64());
        for (const listener of this.freeListeners) void listener(addresses, false);
      }
      return;
    }
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    const status = r.u8();
    this.cached = { ...this.cached, freeBytes: r.f64() };
    const payload = new Reader(r.view());
    if (status === STATUS_OK) return pending.resolve(payload);
    const [name, message] = [payload.str(), payload.str()];
    // A stale address is an expected outcome the read procedure retries on; keep its type.
    pending.reject(name === 'RemoteAddressInvalidError' ? new RemoteAddressInvalidError(message) : new FlexChainError(`The memory node refused a request: ${message}`));
  }
}

/** Candidates in runs of at most EVICTION_FRAME_RECORD_BYTES_MAX record bytes, each run one frame under the cap. */
function* framedParts(candidates: readonly EvictionCandidate[]): Generator<readonly EvictionCandidate[]> {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < candidates.length; i++) {
    const n = candidates[i]!.record.length;
    if (i > start && bytes + n > EVICTION_FRAME_RECORD_BYTES_MAX) {
      yield candidates.slice(start, i);
      start = i;
      bytes = 0;
    }
    bytes += n;
  }
  if (start < candidates.length) yield candidates.slice(start);
}

function writeCandidates(w: Writer, candidates: readonly EvictionCandidate[]): void {
  w.u32(candidates.length);
  for (const c of candidates) w.str(c.key).f64(c.address).bytes(c.record);
}
