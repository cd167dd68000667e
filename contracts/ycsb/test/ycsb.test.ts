import { MockWorldState, type MockContract } from '@flexchain/sdk/testing';
import { makeRecord, YcsbContract } from '../src';

describe('ycsb', () => {
  let world: MockWorldState;
  let ycsb: MockContract<YcsbContract>;

  beforeEach(() => {
    world = new MockWorldState({ printLogs: false });
    ycsb = world.deploy(YcsbContract);
  });

  it('inserts a record of the requested size and reads it back', async () => {
    const tx = await ycsb.submit('insert', 'user1', 10 * 1024);
    const record = (await ycsb.evaluate('read', 'user1')) as Uint8Array;
    expect(record).toHaveLength(10 * 1024);
    expect(Buffer.from(record).equals(Buffer.from(makeRecord('user1', tx.txId, 10 * 1024)))).toBe(true);
    await expect(ycsb.submit('insert', 'user1', 10)).rejects.toThrow('record user1 already exists');
  });

  it('update replaces the record and requires it to exist', async () => {
    await ycsb.submit('insert', 'user1', 100);
    const before = ycsb.getState('user1')!;
    await ycsb.submit('update', 'user1', 200);
    expect(ycsb.getState('user1')).toHaveLength(200);
    expect(Buffer.from(ycsb.getState('user1')!.subarray(0, 100)).equals(Buffer.from(before))).toBe(false);
    await expect(ycsb.submit('update', 'user9', 10)).rejects.toThrow('record user9 not found');
  });

  it('records are deterministic in key and tx id and differ otherwise', () => {
    expect(makeRecord('k', 'tx', 64)).toEqual(makeRecord('k', 'tx', 64));
    expect(makeRecord('k', 'tx', 64)).not.toEqual(makeRecord('k', 'tx2', 64));
    expect(makeRecord('k', 'tx', 64).every((b) => b >= 0x21 && b <= 0x7e)).toBe(true);
  });

  it('loads records in bulk and scans them in key order', async () => {
    await ycsb.submit('load', 'user', 0, 50, 4, 32);
    expect(ycsb.entries()).toHaveLength(50);
    expect(await ycsb.evaluate('scan', 'user0010', 3)).toEqual([
      { key: 'user0010', size: 32 },
      { key: 'user0011', size: 32 },
      { key: 'user0012', size: 32 },
    ]);
  });

  it('concurrent updates of one key: only the first commits', async () => {
    await ycsb.submit('insert', 'hot', 16);
    const a = await ycsb.simulate('update', 'hot', 16);
    const b = await ycsb.simulate('update', 'hot', 16);
    const block = await world.commit(a, b);
    expect(block.transactions.map((r) => r.code)).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
    expect(Buffer.from(ycsb.getState('hot')!).equals(Buffer.from(makeRecord('hot', a.txId, 16)))).toBe(true);
  });

  it('a scan records the records it returned for the phantom check', async () => {
    await ycsb.submit('load', 'user', 0, 5, 2, 8);
    const scan = await ycsb.simulate('scan', 'user00', 10);
    expect(scan.rwset.rangeQueries[0]?.reads).toHaveLength(5);
  });

  it('rejects record sizes beyond the limit before running', async () => {
    await expect(ycsb.submit('insert', 'big', 1024 * 1024 + 1)).rejects.toThrow(/Argument "size" of transaction "insert" must be an integer between 1 and 1048576/);
  });
});
