import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerDb } from '../storage/ledger-db';
import { Materializer } from './materializer';
import { StorageNode } from './storage-node';

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
    materializer = new Materializer(storage, ledger.meta);
    await materializer.load();
  });
  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never lets a lagging block overwrite a newer version that eviction wrote ahead', async () => {
    await materializer.persistEvicted([rec('k', 7, 70)]);
    materializer.enqueue({ blockNum: 5, writes: [rec('k', 5, 50), rec('other', 5, 1)] });
    await materializer.drain();
    expect(await storage.get('k')).toEqual(rec('k', 7, 70));
    expect(await storage.get('other')).toEqual(rec('other', 5, 1));
    expect(materializer.savepoint).toBe(5);
    materializer.enqueue({ blockNum: 8, writes: [rec('k', 8)] });
    await materializer.drain();
    expect(await storage.get('k')).toEqual(rec('k', 8));
  });

  it('skips evicted records already materialised (at or below the savepoint)', async () => {
    materializer.enqueue({ blockNum: 3, writes: [rec('k', 3, 30)] });
    await materializer.drain();
    await ledger.tieredState.clear();
    await materializer.persistEvicted([rec('k', 3, 30), rec('n', 4, 40)]);
    expect(await storage.get('k')).toBeUndefined();
    expect(await storage.get('n')).toEqual(rec('n', 4, 40));
  });

  it('recovery replays only blocks after the savepoint and keeps the newest version', async () => {
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
    const reloaded = new Materializer(storage, ledger.meta);
    await reloaded.load();
    expect(reloaded.savepoint).toBe(3);
  });
});
