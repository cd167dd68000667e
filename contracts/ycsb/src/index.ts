// YCSB: a key-value store with read, update, insert and scan over records of a
// configurable size (the FlexChain paper uses 10 KB). Record contents are
// derived deterministically from the key and the transaction id, so every
// endorser writes the same bytes.

import { Context, Contract, Evaluate, Returns, Submit, t } from '@flexchain/sdk';

/** Largest record, in bytes; equals the host's default valueBytesMax. */
const RECORD_BYTES_MAX = 1024 * 1024;
/** Most records one scan may return. */
const SCAN_RECORDS_MAX = 1000;
/** Most records one load transaction may insert, so preload transactions stay within rw-set limits. */
const LOAD_RECORDS_PER_TX_MAX = 1000;

const key = t.string({ minLength: 1, maxLength: 128 });
const recordSize = t.int({ min: 1, max: RECORD_BYTES_MAX });

export class YcsbContract extends Contract {
  static override contractName = 'ycsb';

  @Submit(['key', key], ['size', recordSize])
  async insert(ctx: Context, recordKey: string, size: number): Promise<void> {
    if ((await ctx.stub.getState(recordKey)) !== undefined) throw new Error(`record ${recordKey} already exists`);
    await ctx.stub.putState(recordKey, makeRecord(recordKey, ctx.stub.getTxID(), size));
  }

  /** Overwrites an existing record (a read-modify-write, so concurrent updates of one key conflict). */
  @Submit(['key', key], ['size', recordSize])
  async update(ctx: Context, recordKey: string, size: number): Promise<void> {
    if ((await ctx.stub.getState(recordKey)) === undefined) throw new Error(`record ${recordKey} not found`);
    await ctx.stub.putState(recordKey, makeRecord(recordKey, ctx.stub.getTxID(), size));
  }

  @Evaluate(['key', key])
  @Returns(t.bytes())
  async read(ctx: Context, recordKey: string): Promise<Uint8Array> {
    const record = await ctx.stub.getState(recordKey);
    if (record === undefined) throw new Error(`record ${recordKey} not found`);
    return record;
  }

  /** Returns the keys and sizes of up to `count` records from `startKey` on, in key order. */
  @Evaluate(['startKey', key], ['count', t.int({ min: 1, max: SCAN_RECORDS_MAX })])
  @Returns(t.array(t.object({ key: t.string(), size: t.int() })))
  async scan(ctx: Context, startKey: string, count: number): Promise<{ key: string; size: number }[]> {
    const found: { key: string; size: number }[] = [];
    for await (const { key: k, value } of ctx.stub.getStateByRange(startKey, '')) {
      found.push({ key: k, size: value.length });
      if (found.length === count) break;
    }
    return found;
  }

  /** Inserts records "<prefix><first>" .. "<prefix><first+count-1>" (numbers zero-padded to `width`). */
  @Submit(['prefix', t.string({ maxLength: 64 })], ['first', t.int({ min: 0 })], ['count', t.int({ min: 1, max: LOAD_RECORDS_PER_TX_MAX })], ['width', t.int({ min: 1, max: 16 })], ['size', recordSize])
  async load(ctx: Context, prefix: string, first: number, count: number, width: number, size: number): Promise<void> {
    for (let i = first; i < first + count; i++) {
      const recordKey = prefix + String(i).padStart(width, '0');
      await ctx.stub.putState(recordKey, makeRecord(recordKey, ctx.stub.getTxID(), size));
    }
  }
}

/** Pseudo-random printable bytes seeded by FNV-1a of key and tx id (xorshift32 stream). */
export function makeRecord(recordKey: string, txId: string, size: number): Uint8Array {
  let state = 0x811c9dc5;
  const seed = `${recordKey}/${txId}`;
  for (let i = 0; i < seed.length; i++) state = Math.imul(state ^ seed.charCodeAt(i), 0x01000193) >>> 0;
  if (state === 0) state = 1;
  const record = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    record[i] = 0x21 + (state % 94);
  }
  return record;
}

export default YcsbContract;
