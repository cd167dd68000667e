import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerDb } from '../storage/ledger-db';
import { MaterializationHaltedError } from './materialization-core';
import { ledgerMaterializerStore, Materializer, type MaterializerStore } from './materializer';
import { StorageNode } from './storage-node';
import { DEFAULT_TIERED_STATE_LIMITS } from './tiered-world-state';

const limits = { ...DEFAULT_TIERED_STATE_LIMITS, materializeRetryDelayMs: 1, materializeRetryDelayMaxMs: 4, materializeAttemptsMax: 4 };

/** The ledger's store, failing the writes `failNext` says to fail. */
function faultyStore(inner: MaterializerStore, failNext: (savepoint: number | undefined) => boolean): MaterializerStore & { attempts: number; failures: number } {
  const store = {
    attempts: 0,
    failures: 0,
    loadSavepoint: () => inner.loadSavepoint(),
    write: (records: Parameters<MaterializerStore['write']>[0], ifNewer: boolean, savepoint: number | undefined) => {
      store.attempts++;
      if (!failNext(savepoint)) return inner.write(records, ifNewer, savepoint);
      store.failures++;
      return Promise.reject(new Error('injected: IO error'));
    },
  };
  return store;
}

/** Empty blocks from..to, so the one after them is next in line. */
const emptyBlocks = (m: Materializer, from: number, to: number) => {
  for (let b = from; b <= to; b++) m.enqueue({ blockNum: b, writes: [] });
};

const rec = (key: string, blockNum: number, value?: number) => ({ key, version: { blockNum, txNum: 0 }, value: value === undefined ? undefined : new Uint8Array([value]) });

describe('Materializer', () => {
  let dir: string;
  let ledger: LedgerDb;
  let storage: StorageNode;
  let materializer: Materializer;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'flexchain-materializer-'));
    ledger = new LedgerDb(dir);
    await ledger.open();
    storage = new StorageNode(ledger.tieredState);
    materializer = new Materializer(ledgerMaterializerStore(ledger, storage), limits);
    await materializer.load();
  });
  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never lets a lagging block overwrite a newer version that eviction wrote ahead', async () => {
    await materializer.persistEvicted([rec('k', 7, 70)]);
    emptyBlocks(materializer, 0, 4);
    materializer.enqueue({ blockNum: 5, writes: [rec('k', 5, 50), rec('other', 5, 1)] });
    await materializer.drain();
    expect(await storage.get('k')).toEqual(rec('k', 7, 70));
    expect(await storage.get('other')).toEqual(rec('other', 5, 1));
    expect(materializer.savepoint).toBe(5);
    emptyBlocks(materializer, 6, 7);
    materializer.enqueue({ blockNum: 8, writes: [rec('k', 8)] });
    await materializer.drain();
    expect(await storage.get('k')).toEqual(rec('k', 8));
  });

  it('skips evicted records already materialised (at or below the savepoint)', async () => {
    emptyBlocks(materializer, 0, 2);
    materializer.enqueue({ blockNum: 3, writes: [rec('k', 3, 30)] });
    await materializer.drain();
    await ledger.tieredState.clear();
    await materializer.persistEvicted([rec('k', 3, 30), rec('n', 4, 40)]);
    expect(await storage.get('k')).toBeUndefined();
    expect(await storage.get('n')).toEqual(rec('n', 4, 40));
  });

  it('recovery replays only blocks after the savepoint and keeps the newest version', async () => {
    emptyBlocks(materializer, 0, 0);
    materializer.enqueue({ blockNum: 1, writes: [rec('a', 1, 1)] });
    await materializer.drain();
    await storage.putAll([rec('b', 9, 9)]);
    const replayed = await materializer.applyAll(
      (async function* () {
        for (const blockNum of [1, 2, 3]) yield { blockNum, writes: [rec('a', blockNum, blockNum), rec('b', blockNum, blockNum)] };
      })(),
    );
    expect(replayed).toBe(2);
    expect(await storage.get('a')).toEqual(rec('a', 3, 3));
    expect(await storage.get('b')).toEqual(rec('b', 9, 9));
    const reloaded = new Materializer(ledgerMaterializerStore(ledger, storage), limits);
    await reloaded.load();
    expect(reloaded.savepoint).toBe(3);
  });

  // Issue 13, defect 1: a failed write was swallowed and the next block moved the savepoint past it.
  it('retries a failed block write before anything behind it, so the savepoint never passes it', async () => {
    let failures = 1;
    const store = faultyStore(ledgerMaterializerStore(ledger, storage), (savepoint) => savepoint === 5 && failures-- > 0);
    const m = new Materializer(store, limits);
    await m.load();
    emptyBlocks(m, 0, 4);
    m.enqueue({ blockNum: 5, writes: [rec('k', 5, 50)] });
    m.enqueue({ blockNum: 6, writes: [rec('j', 6, 60)] });
    await m.drain();
    expect(m.savepoint).toBe(6);
    expect(await storage.get('k')).toEqual(rec('k', 5, 50));
    expect(store.attempts).toBe(8);
  });

  it('writes an eviction flush of a block whose materialisation is still being retried', async () => {
    let failing = true;
    const store = faultyStore(ledgerMaterializerStore(ledger, storage), (savepoint) => savepoint === 5 && failing);
    const m = new Materializer(store, { ...limits, materializeAttemptsMax: 1_000_000 });
    await m.load();
    emptyBlocks(m, 0, 4);
    m.enqueue({ blockNum: 5, writes: [rec('k', 5, 50)] });
    while (store.failures === 0) await new Promise((r) => setTimeout(r, 1));
    await m.persistEvicted([rec('k', 5, 50)]);
    expect(m.savepoint).toBe(4);
    expect(await storage.get('k')).toEqual(rec('k', 5, 50));
    failing = false;
    await m.drain();
    expect(m.savepoint).toBe(5);
  });

  it('halts, with the savepoint where it was, when storage keeps failing', async () => {
    const m = new Materializer(faultyStore(ledgerMaterializerStore(ledger, storage), (savepoint) => savepoint === 1), limits);
    await m.load();
    const halts: Error[] = [];
    m.onHalt((err) => halts.push(err));
    m.enqueue({ blockNum: 0, writes: [rec('a', 0, 1)] });
    m.enqueue({ blockNum: 1, writes: [rec('b', 1, 1)] });
    m.enqueue({ blockNum: 2, writes: [rec('c', 2, 1)] });
    await m.drain();
    expect(halts).toHaveLength(1);
    expect(halts[0]).toBeInstanceOf(MaterializationHaltedError);
    expect(halts[0]!.message).toMatch(/block 1 4 times .*injected: IO error.*savepoint stays at block 0/);
    expect(m.halted).toBe(halts[0]);
    expect(m.savepoint).toBe(0);
    expect(await storage.get('c')).toBeUndefined();
    await expect(m.persistEvicted([rec('d', 3, 1)])).rejects.toBeInstanceOf(MaterializationHaltedError);
    const reloaded = new Materializer(ledgerMaterializerStore(ledger, storage), limits);
    await reloaded.load();
    expect(reloaded.savepoint).toBe(0);
  });

  it('drops its queue for recovery, letting the write in progress finish first', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const inner = ledgerMaterializerStore(ledger, storage);
    const m = new Materializer({ loadSavepoint: () => inner.loadSavepoint(), write: async (records, ifNewer, savepoint) => { if (savepoint === 0) await held; return inner.write(records, ifNewer, savepoint); } }, limits);
    await m.load();
    m.enqueue({ blockNum: 0, writes: [rec('a', 0, 1)] });
    m.enqueue({ blockNum: 1, writes: [rec('b', 1, 1)] });
    const evicted = m.persistEvicted([rec('e', 1, 1)]);
    const abandoned = m.abandonQueued();
    await expect(evicted).rejects.toThrow(/replays/);
    release();
    await abandoned;
    expect(m.savepoint).toBe(0);
    expect(await storage.get('b')).toBeUndefined();
    expect(await m.applyAll((async function* () { yield { blockNum: 1, writes: [rec('b', 1, 1)] }; })())).toBe(1);
    expect(m.savepoint).toBe(1);
  });
});
