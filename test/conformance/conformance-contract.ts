// The contract the stub conformance suite drives. Every method exercises one
// piece of stub semantics and reports what the contract saw.

import { Context, Contract, Evaluate, Returns, Submit, t, utf8Decode, utf8Encode } from '@flexchain/sdk';

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : utf8Decode(bytes));

async function collectKeys(iterator: AsyncIterable<{ key: string }>, limit = Number.MAX_SAFE_INTEGER): Promise<string[]> {
  const keys: string[] = [];
  if (limit <= 0) return keys;
  for await (const { key } of iterator) {
    keys.push(key);
    if (keys.length >= limit) break;
  }
  return keys;
}

export class ConformanceContract extends Contract {
  static override contractName = 'conformance';

  @Submit(['key', t.string()], ['value', t.string()])
  async put(ctx: Context, key: string, value: string): Promise<void> {
    await ctx.stub.putState(key, utf8Encode(value));
  }

  @Evaluate(['key', t.string()])
  @Returns(t.optional(t.string()))
  async get(ctx: Context, key: string): Promise<string | undefined> {
    return text(await ctx.stub.getState(key));
  }

  @Submit(['key', t.string()])
  async del(ctx: Context, key: string): Promise<void> {
    await ctx.stub.deleteState(key);
  }

  @Submit(['key', t.string()], ['value', t.string()])
  @Returns(t.array(t.optional(t.string())))
  async putThenGet(ctx: Context, key: string, value: string): Promise<(string | undefined)[]> {
    const before = text(await ctx.stub.getState(key));
    await ctx.stub.putState(key, utf8Encode(value));
    const after = text(await ctx.stub.getState(key));
    return [before, after];
  }

  @Submit(['key', t.string()])
  @Returns(t.optional(t.string()))
  async deleteThenGet(ctx: Context, key: string): Promise<string | undefined> {
    await ctx.stub.deleteState(key);
    return text(await ctx.stub.getState(key));
  }

  @Evaluate(['startKey', t.string()], ['endKey', t.string()])
  @Returns(t.array(t.string()))
  async rangeKeys(ctx: Context, startKey: string, endKey: string): Promise<string[]> {
    return collectKeys(ctx.stub.getStateByRange(startKey, endKey));
  }

  @Submit(['startKey', t.string()], ['endKey', t.string()], ['limit', t.int({ min: 0 })])
  @Returns(t.array(t.string()))
  async rangeKeysUpTo(ctx: Context, startKey: string, endKey: string, limit: number): Promise<string[]> {
    const keys = await collectKeys(ctx.stub.getStateByRange(startKey, endKey), limit);
    await ctx.stub.putState('scan-result', utf8Encode(keys.join(',')));
    return keys;
  }

  @Submit(['puts', t.array(t.string())], ['deletes', t.array(t.string())], ['startKey', t.string()], ['endKey', t.string()])
  @Returns(t.array(t.string()))
  async writeThenRange(ctx: Context, puts: string[], deletes: string[], startKey: string, endKey: string): Promise<string[]> {
    for (const key of puts) await ctx.stub.putState(key, utf8Encode('w'));
    for (const key of deletes) await ctx.stub.deleteState(key);
    return collectKeys(ctx.stub.getStateByRange(startKey, endKey));
  }

  @Evaluate(['startKey', t.string()], ['endKey', t.string()], ['pageSize', t.int()], ['bookmark', t.optional(t.string())])
  @Returns(t.object({ keys: t.array(t.string()), bookmark: t.string(), count: t.int() }))
  async page(ctx: Context, startKey: string, endKey: string, pageSize: number, bookmark?: string) {
    const page = await ctx.stub.getStateByRangeWithPagination(startKey, endKey, pageSize, bookmark);
    return { keys: page.results.map((r) => r.key), bookmark: page.bookmark, count: page.fetchedRecordsCount };
  }

  @Submit(['objectType', t.string()], ['attributes', t.array(t.string())], ['value', t.string()])
  @Returns(t.string())
  async putComposite(ctx: Context, objectType: string, attributes: string[], value: string): Promise<string> {
    const key = ctx.stub.createCompositeKey(objectType, attributes);
    await ctx.stub.putState(key, utf8Encode(value));
    return key;
  }

  @Evaluate(['objectType', t.string()], ['attributes', t.array(t.string())])
  @Returns(t.array(t.array(t.string())))
  async partialComposite(ctx: Context, objectType: string, attributes: string[]): Promise<string[][]> {
    const found: string[][] = [];
    for await (const { key } of ctx.stub.getStateByPartialCompositeKey(objectType, attributes)) {
      const parts = ctx.stub.splitCompositeKey(key);
      found.push([parts.objectType, ...parts.attributes]);
    }
    return found;
  }

  @Submit(['name', t.string()], ['payload', t.string()])
  async emit(ctx: Context, name: string, payload: string): Promise<void> {
    ctx.stub.setEvent(name, utf8Encode(payload));
    await ctx.stub.putState(`event:${name}`, utf8Encode(payload));
  }

  @Evaluate()
  @Returns(t.object({ txId: t.string(), seconds: t.int(), nanos: t.int(), iso: t.string(), channel: t.string(), mspId: t.string(), id: t.string(), department: t.optional(t.string()) }))
  async env(ctx: Context) {
    const { seconds, nanos } = ctx.stub.getTxTimestamp();
    return {
      txId: ctx.stub.getTxID(),
      seconds,
      nanos,
      iso: ctx.stub.getDateTimestamp().toISOString(),
      channel: ctx.stub.getChannelID(),
      mspId: ctx.clientIdentity.getMSPID(),
      id: ctx.clientIdentity.getID(),
      department: ctx.clientIdentity.getAttributeValue('department'),
    };
  }

  @Submit(['key', t.string()], ['value', t.json()])
  async putJSON(ctx: Context, key: string, value: unknown): Promise<void> {
    await ctx.stub.putJSON(key, value);
  }

  @Submit(['key', t.string()], ['size', t.int({ min: 0 })])
  async putSized(ctx: Context, key: string, size: number): Promise<void> {
    await ctx.stub.putState(key, new Uint8Array(size));
  }

  @Submit(['key', t.string()], ['value', t.string()])
  async putThenFail(ctx: Context, key: string, value: string): Promise<void> {
    await ctx.stub.putState(key, utf8Encode(value));
    throw new Error(`deliberate failure after writing ${key}`);
  }

  @Evaluate(['key', t.string()])
  async writeInEvaluate(ctx: Context, key: string): Promise<void> {
    await ctx.stub.putState(key, utf8Encode('x'));
  }

  @Submit(['from', t.string()], ['to', t.string()], ['amount', t.int({ min: 1 })])
  async transfer(ctx: Context, from: string, to: string, amount: number): Promise<void> {
    const balance = async (id: string) => (await ctx.stub.getJSON<number>(`balance:${id}`)) ?? 0;
    const fromBalance = await balance(from);
    if (fromBalance < amount) throw new Error(`insufficient funds: ${from} has ${fromBalance}, needs ${amount}`);
    await ctx.stub.putJSON(`balance:${from}`, fromBalance - amount);
    await ctx.stub.putJSON(`balance:${to}`, (await balance(to)) + amount);
  }

  @Submit(['startKey', t.string()], ['endKey', t.string()])
  @Returns(t.int())
  async countRange(ctx: Context, startKey: string, endKey: string): Promise<number> {
    const count = (await collectKeys(ctx.stub.getStateByRange(startKey, endKey))).length;
    await ctx.stub.putJSON('count', count);
    return count;
  }

  @Submit(['name', t.string({ maxLength: 8 })], ['count', t.int({ min: 0, max: 100 })], ['big', t.bigint()], ['flag', t.boolean()], ['options', t.optional(t.object({ memo: t.string(), tags: t.optional(t.array(t.string())) }))])
  @Returns(t.object({ name: t.string(), count: t.int(), doubled: t.bigint(), flag: t.boolean(), memo: t.optional(t.string()), tags: t.int() }))
  async typed(ctx: Context, name: string, count: number, big: bigint, flag: boolean, options?: { memo: string; tags?: string[] }) {
    return { name, count, doubled: big * 2n, flag, memo: options?.memo, tags: options?.tags?.length ?? 0 };
  }

  @Submit(['key', t.string()])
  async logAndPut(ctx: Context, key: string): Promise<void> {
    ctx.logger.info('writing', key);
    await ctx.stub.putState(key, utf8Encode('logged'));
  }

  /** Not decorated: must not be callable. */
  async helper(): Promise<string> {
    return 'internal';
  }
}
