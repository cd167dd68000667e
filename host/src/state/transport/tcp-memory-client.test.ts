import { encodeRecord, decodeRecord } from '../remote-memory/record-layout';
import { MemoryNode, RemoteAddressInvalidError } from '../remote-memory/memory-node';
import { DEFAULT_TIERED_STATE_LIMITS } from '../tiered-world-state';
import { MemoryNodeServer } from './memory-node-server';
import { TcpMemoryClient } from './tcp-memory-client';
import { connect } from 'node:net';
import { EVICTION_FRAME_RECORD_BYTES_MAX, FRAME_BYTES_MAX, Op, Writer } from './wire';

/** Sends raw bytes to the server on a connection of its own; resolves when the server closes it or after waitMs. */
function sendRaw(port: number, bytes: Buffer, waitMs = 200): Promise<'closed' | 'open'> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve('open');
    }, waitMs);
    socket.on('data', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
    socket.on('error', () => undefined);
  });
}

describe('memory node over TCP', () => {
  let server: MemoryNodeServer;
  let client: TcpMemoryClient;
  let other: TcpMemoryClient;

  beforeEach(async () => {
    server = new MemoryNodeServer(new MemoryNode({ ...DEFAULT_TIERED_STATE_LIMITS, slabBytes: 4096, memoryBudgetBytes: 8192, gcThresholdBytes: 1 << 20 }));
    const port = await server.listen(0);
    [client, other] = await Promise.all([TcpMemoryClient.connect('127.0.0.1', port), TcpMemoryClient.connect('127.0.0.1', port)]);
  });

  afterEach(async () => {
    client.close();
    other.close();
    await server.close();
  });

  it('allocates, writes, links, looks up and reads records; pipelined requests keep their order', async () => {
    const records = Array.from({ length: 20 }, (_, i) => encodeRecord(`k${i}`, { blockNum: 1, txNum: i }, new Uint8Array([i])));
    const addresses = await Promise.all(records.map((r) => client.allocate(r.length)));
    await Promise.all(records.map((r, i) => client.write(addresses[i]!, r)));
    await Promise.all(records.map((_, i) => client.link(`k${i}`, addresses[i]!)));
    expect(await other.lookup('k7')).toBe(addresses[7]);
    expect(decodeRecord(await other.read(addresses[7]!))).toMatchObject({ key: 'k7', version: { blockNum: 1, txNum: 7 } });
    expect(await other.keys('k1', 'k2', 100)).toEqual(['k1', 'k10', 'k11', 'k12', 'k13', 'k14', 'k15', 'k16', 'k17', 'k18', 'k19']);
    expect(client.stats.freeBytes).toBeLessThan(8192);
  });

  it('pushes freed buffers to every connection before they can be reused', async () => {
    const freed: number[] = [];
    other.onFree((addresses) => void freed.push(...addresses));
    const record = encodeRecord('x', { blockNum: 1, txNum: 0 }, new Uint8Array(8));
    const address = (await client.allocate(record.length))!;
    await client.write(address, record);
    await client.link('x', address);
    const [candidate] = await client.beginEviction(['x']);
    await client.completeEviction([candidate!]);
    await other.refreshStats();
    expect(freed).toEqual([address]);
    expect(await other.lookup('x')).toBeUndefined();
  });

  it('keeps a stale address an error the read procedure recognises', async () => {
    await expect(client.read(1 << 40)).rejects.toBeInstanceOf(RemoteAddressInvalidError);
  });

  it('fails pending and later requests clearly when the node goes away', async () => {
    await server.close();
    await expect(client.lookup('x')).rejects.toThrow(/Lost the connection to the memory node at 127\.0\.0\.1:\d+/);
    expect(client.broken).toBe(true);
  });

  // Issue 13, finding 12: a frame body shorter than 5 bytes killed the memory node.
  it('closes a connection that sends short, truncated or oversized frames, and keeps serving the others', async () => {
    const port = server.port;
    expect(await sendRaw(port, Buffer.from([0, 0, 0, 2, 1, 2]))).toBe('closed');
    expect(await sendRaw(port, Buffer.from([0, 0, 0, 0]))).toBe('closed');
    const oversized = Buffer.alloc(4);
    oversized.writeUInt32BE(FRAME_BYTES_MAX + 1, 0);
    expect(await sendRaw(port, oversized)).toBe('closed');
    // A READ without its address, and a list that claims more items than it holds: answered with an error, connection kept.
    expect(await sendRaw(port, new Writer().u32(1).u8(Op.READ).frame())).toBe('open');
    expect(await sendRaw(port, new Writer().u32(1).u8(Op.BEGIN_EVICTION).u32(0xffffffff).frame())).toBe('open');
    expect(await sendRaw(port, new Writer().u32(1).u8(250).frame())).toBe('open');
    await client.refreshStats();
    expect(await other.lookup('nothing')).toBeUndefined();
  });
});

// Issue 13, defect 3: an eviction batch over TCP made a 73 MB frame against the 64 MiB cap.
describe('eviction over TCP with more record bytes than one frame holds', () => {
  it('evicts at most one frame of records per round and completes them in frames under the cap', async () => {
    const slabBytes = 4 * 1024 * 1024;
    const node = new MemoryNode({ ...DEFAULT_TIERED_STATE_LIMITS, slabBytes, memoryBudgetBytes: 40 * slabBytes, gcThresholdBytes: 1 << 30 });
    const server = new MemoryNodeServer(node);
    const client = await TcpMemoryClient.connect('127.0.0.1', await server.listen(0));
    try {
      const value = new Uint8Array(3 * 1024 * 1024);
      const keys = Array.from({ length: 25 }, (_, i) => `big${i}`);
      for (const [i, key] of keys.entries()) {
        const record = encodeRecord(key, { blockNum: 1, txNum: i }, value);
        const address = (await client.allocate(record.length))!;
        await client.write(address, record);
        await client.link(key, address);
      }
      const candidates = await client.beginEviction(keys);
      const recordBytes = candidates.reduce((n, c) => n + c.record.length, 0);
      expect(candidates.length).toBeGreaterThan(1);
      expect(candidates.length).toBeLessThan(keys.length);
      expect(recordBytes).toBeLessThanOrEqual(EVICTION_FRAME_RECORD_BYTES_MAX);
      await client.completeEviction(candidates);
      const rest = await client.beginEviction(keys);
      expect(rest.map((c) => c.key)).toEqual(keys.slice(candidates.length, candidates.length + rest.length));
      // An abort or completion of more than a frame's worth (gathered by hand) is split to fit.
      await client.abortEviction([...rest, ...rest.map((c) => ({ ...c }))]);
      expect(client.broken).toBe(false);
      expect(await client.lookup(keys[0]!)).toBeUndefined();
      expect(await client.lookup(keys.at(-1)!)).toBeDefined();
    } finally {
      client.close();
      await server.close();
    }
  });
});

// Issue 13, defect 4: requests had no timeouts, so a memory node that stopped answering made callers wait forever.
describe('a memory node that stops answering', () => {
  it('counts as lost once a reply is overdue by the request timeout', async () => {
    const { createServer } = await import('node:net');
    let answering = true;
    const node = new MemoryNodeServer(new MemoryNode(DEFAULT_TIERED_STATE_LIMITS));
    const nodePort = await node.listen(0);
    // A relay that stops forwarding replies: the connection stays up, the node goes silent.
    const relay = createServer((inbound) => {
      const outbound = connect({ host: '127.0.0.1', port: nodePort });
      inbound.on('data', (d) => outbound.write(d));
      outbound.on('data', (d) => {
        if (answering) inbound.write(d);
      });
      inbound.on('close', () => outbound.destroy());
      inbound.on('error', () => undefined);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    const port = (relay.address() as { port: number }).port;
    const client = await TcpMemoryClient.connect('127.0.0.1', port, 200);
    try {
      expect(await client.lookup('x')).toBeUndefined();
      answering = false;
      const started = Date.now();
      await expect(client.lookup('x')).rejects.toMatchObject({ name: 'MemoryNodeUnreachableError', details: expect.stringMatching(/no reply in \d+ ms \(the limit is 200 ms\)/) });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(client.broken).toBe(true);
    } finally {
      client.close();
      relay.close();
      await node.close();
    }
  });
});
