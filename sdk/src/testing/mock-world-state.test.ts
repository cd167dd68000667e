import { Context, Contract, Evaluate, Returns, Submit, t, toCanonicalJson, utf8Decode, utf8Encode } from '../index';
import { MockWorldState } from './mock-world-state';

class Counter extends Contract {
  @Submit(['name', t.string()])
  @Returns(t.int())
  async increment(ctx: Context, name: string): Promise<number> {
    const next = ((await ctx.stub.getJSON<number>(name)) ?? 0) + 1;
    await ctx.stub.putJSON(name, next);
    ctx.stub.setEvent('Incremented', toCanonicalJson({ name, next }));
    ctx.logger.info(`incremented ${name} to`, next);
    return next;
  }

  @Evaluate(['name', t.string()])
  @Returns(t.int())
  async value(ctx: Context, name: string): Promise<number> {
    return (await ctx.stub.getJSON<number>(name)) ?? 0;
  }

  @Evaluate()
  @Returns(t.object({ caller: t.string(), time: t.string(), txId: t.string() }))
  async whoami(ctx: Context) {
    return { caller: `${ctx.clientIdentity.mspId}/${ctx.clientIdentity.id}`, time: ctx.stub.getDateTimestamp().toISOString(), txId: ctx.stub.getTxID() };
  }
}

class Other extends Contract {
  @Submit(['key', t.string()], ['value', t.string()])
  async put(ctx: Context, key: string, value: string): Promise<void> {
    await ctx.stub.putState(key, utf8Encode(value));
  }
}

describe('MockWorldState', () => {
  let world: MockWorldState;
  beforeEach(() => {
    world = new MockWorldState({ printLogs: false });
  });

  it('submits and evaluates with typed results; submit returns the receipt', async () => {
    const counter = world.deploy(Counter);
    const first = await counter.submit('increment', 'a');
    expect(first).toMatchObject({ code: 'VALID', result: 1, blockNum: 1, txNum: 0 });
    await counter.submit('increment', 'a');
    expect(await counter.evaluate('value', 'a')).toBe(2);
    expect(counter.getJSON('a')).toBe(2);
    expect(counter.getVersion('a')).toEqual({ blockNum: 2, txNum: 0 });
  });

  it('evaluate commits nothing', async () => {
    const counter = world.deploy(Counter);
    await counter.simulate('increment', 'a');
    expect(counter.getState('a')).toBeUndefined();
    expect(world.blockHeight).toBe(1);
  });

  it('keeps each contract in its own namespace', async () => {
    const counter = world.deploy(Counter);
    const other = world.deploy(Other);
    await other.submit('put', 'a', 'text');
    await counter.submit('increment', 'a');
    expect(utf8Decode(other.getState('a')!)).toBe('text');
    expect(counter.getJSON('a')).toBe(1);
    expect(() => world.deploy(Other)).toThrow(/already deployed/);
    expect(world.deploy(Other, { name: 'other2' }).name).toBe('other2');
  });

  it('seeds state as one block; snapshot and restore put committed state back', async () => {
    const counter = world.deploy(Counter);
    counter.seed({ a: 10, raw: utf8Encode('bytes') });
    expect(counter.getVersion('a')).toEqual({ blockNum: 1, txNum: 0 });
    expect(utf8Decode(counter.getState('raw')!)).toBe('bytes');
    const snap = world.snapshot();
    await counter.submit('increment', 'a');
    await counter.submit('increment', 'b');
    world.restore(snap);
    expect(counter.getJSON('a')).toBe(10);
    expect(counter.getState('b')).toBeUndefined();
    expect(world.events).toEqual([]);
    expect(world.blockHeight).toBe(2);
  });

  it('fixes tx time and tx id, and switches caller', async () => {
    const counter = world.deploy(Counter);
    world.setTxTime(new Date('2031-01-02T03:04:05Z'));
    world.setNextTxId('tx-one');
    expect(await counter.evaluate('whoami')).toEqual({ caller: 'Org1MSP/client1', time: '2031-01-02T03:04:05.000Z', txId: 'tx-one' });
    world.setCaller({ mspId: 'Org2MSP', id: 'bob' });
    expect(await counter.evaluate('whoami')).toMatchObject({ caller: 'Org2MSP/bob', time: '2031-01-02T03:04:05.000Z' });
    expect(await counter.as({ mspId: 'Org3MSP', id: 'carol' }).evaluate('whoami')).toMatchObject({ caller: 'Org3MSP/carol' });
  });

  it('advances the default clock per transaction and generates distinct tx ids', async () => {
    const counter = world.deploy(Counter);
    const a = (await counter.evaluate('whoami')) as { time: string; txId: string };
    const b = (await counter.evaluate('whoami')) as { time: string; txId: string };
    expect(a.time).toBe('2025-01-01T00:00:00.000Z');
    expect(b.time).toBe('2025-01-01T00:00:01.000Z');
    expect(a.txId).toMatch(/^[0-9a-f]{64}$/);
    expect(a.txId).not.toBe(b.txId);
  });

  it('records events of valid transactions only, and contract logs', async () => {
    const counter = world.deploy(Counter);
    const stale = await counter.simulate('increment', 'a');
    await counter.submit('increment', 'a');
    const block = await world.commit(stale);
    expect(block.transactions[0]?.code).toBe('MVCC_READ_CONFLICT');
    expect(world.events.map((e) => [e.name, utf8Decode(e.payload)])).toEqual([['Incremented', '{"name":"a","next":1}']]);
    expect(world.logs.map((l) => l.message)).toEqual(['incremented a to 1', 'incremented a to 1']);
    expect(stale.logs[0]).toMatchObject({ level: 'info', contract: 'Counter', fn: 'increment' });
  });

  it('prints ctx.logger output tagged with contract, function and tx', async () => {
    const printing = new MockWorldState();
    const counter = printing.deploy(Counter);
    const spy = jest.spyOn(console, 'info').mockImplementation(() => {});
    try {
      printing.setNextTxId('abcdef0123456789');
      await counter.submit('increment', 'x');
      expect(spy).toHaveBeenCalledWith('[Counter.increment abcdef01] incremented x to 1');
    } finally {
      spy.mockRestore();
    }
  });

  it('submit throws TransactionInvalidError when validation fails', async () => {
    const counter = world.deploy(Counter);
    world.setNextTxId('dup', 'dup');
    await counter.submit('increment', 'a');
    await expect(counter.submit('increment', 'a')).rejects.toThrow('Transaction dup was not committed: DUPLICATE_TXID.');
  });

  it('names what is missing when calling an undeployed contract', async () => {
    await expect(world.simulate('ghost', 'f', [])).rejects.toThrow(/No contract named "ghost" is deployed/);
  });
});
