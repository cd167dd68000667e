import { encodeRecord, decodeRecord } from '../remote-memory/record-layout';
import { MemoryNode, RemoteAddressInvalidError } from '../remote-memory/memory-node';
import { DEFAULT_TIERED_STATE_LIMITS } from '../tiered-world-state';
import { MemoryNodeServer } from './memory-node-server';
import { TcpMemoryClient } from './tcp-memory-client';

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
});
