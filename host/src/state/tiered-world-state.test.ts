// Scenario tests of the tiered world state, each a short story.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerDb } from '../storage/ledger-db';
import { StorageNode } from './storage-node';
import { TieredWorldState, type TieredStateLimits } from './tiered-world-state';

const value = (n: number, size = 40) => new Uint8Array(size).fill(n);

describe('tiered world state scenarios', () => {
  let dir: string;
  let ledger: LedgerDb;
  let storage: StorageNode;
  const open = async (limits: Partial<TieredStateLimits>, cnodeCount = 2) => {
    dir = mkdtempSync(join(tmpdir(), 'flexchain-tiered-scenario-'));
    ledger = new LedgerDb(dir);
    await ledger.open();
    storage = new StorageNode(ledger.state);
    return new TieredWorldState({ storage, cnodeCount, limits: { readBackoffMs: 0, ...limits } });
  };
  afterEach(async () => {
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds a data set 20× larger than its memory budget: everything readable, the cold part from storage', async () => {
    const store = await open({ slabBytes: 4096, memoryBudgetBytes: 8192, evictionFreeBytesMin: 2048, evictionBatchKeys: 16, promoteStorageReads: false });
    const ns = store.namespace('ycsb', 0);
    for (let block = 1; block <= 30; block++) {
      await ns.commit(Array.from({ length: 50 }, (_, i) => ({ write: { key: `user${String((block - 1) * 50 + i).padStart(4, '0')}`, value: value(block, 100) }, version: { blockNum: block, txNum: i } })));
    }
    const reader = store.namespace('ycsb', 1);
    for (const i of [0, 777, 1499]) expect(await reader.get(`user${String(i).padStart(4, '0')}`)).toEqual({ value: value(Math.floor(i / 50) + 1, 100), version: { blockNum: Math.floor(i / 50) + 1, txNum: i % 50 } });
    expect(await reader.rangePage('user0100', 'user0105', 10)).toHaveLength(5);
    const stats = store.stats();
    expect(stats.memory.usedBytes).toBeLessThanOrEqual(8192);
    expect(stats.memory.evictedKeys).toBeGreaterThan(1000);
    expect(stats.storageReadShare).toBeGreaterThan(0);
  });

  it('a buffer freed and reused is never served from a stale cached copy', async () => {
    const store = await open({ slabBytes: 4096, memoryBudgetBytes: 4096, evictionFreeBytesMin: 512, gcThresholdBytes: 1 << 20 });
    const [a, b] = [store.namespace('c', 0), store.namespace('c', 1)];
    await a.commit([{ write: { key: 'k', value: value(1) }, version: { blockNum: 1, txNum: 0 } }]);
    expect((await b.get('k'))?.version).toEqual({ blockNum: 1, txNum: 0 }); // cNode 1 caches version 1's buffer
    await a.commit([{ write: { key: 'k', value: value(2) }, version: { blockNum: 2, txNum: 0 } }]);
    // Evict k (frees version 2's buffer), then collect version 1's buffer: it is freed last, so reused first.
    expect(await store.eviction.evictKeys(['c\u0000k'])).toBe(1);
    await store.memory.collectGarbage();
    // cNode 0 reads k from storage and promotes it into the reused buffer.
    expect((await a.get('k'))?.version).toEqual({ blockNum: 2, txNum: 0 });
    // cNode 1 must see version 2, not its old copy of the buffer.
    expect(await b.get('k')).toEqual({ value: value(2), version: { blockNum: 2, txNum: 0 } });
  });

  it('a reader that meets a record being evicted backs off and finds it in storage', async () => {
    const store = await open({ slabBytes: 4096, memoryBudgetBytes: 8192, evictionFreeBytesMin: 1024, readBackoffMs: 5 });
    await store.namespace('c', 0).commit([{ write: { key: 'hot', value: value(9) }, version: { blockNum: 1, txNum: 0 } }]);
    // cNode 1 knows the address (from the invalidation) but holds no copy, so it reads remote memory.
    const candidates = await store.memory.beginEviction(['c\u0000hot']);
    const read = store.namespace('c', 1).get('hot');
    await new Promise((r) => setTimeout(r, 2));
    await storage.putIfNewer([{ key: 'c\u0000hot', version: { blockNum: 1, txNum: 0 }, value: value(9) }]);
    for (const c of store.cnodes) c.evicted(['c\u0000hot']);
    await store.memory.completeEviction(candidates);
    expect(await read).toEqual({ value: value(9), version: { blockNum: 1, txNum: 0 } });
    expect(store.stats().readRetries).toBeGreaterThan(0);
  });

  it('deletes hide storage versions and ranges skip them', async () => {
    const store = await open({ slabBytes: 4096, memoryBudgetBytes: 8192, evictionFreeBytesMin: 1024 });
    const ns = store.namespace('c', 0);
    await ns.commit([
      { write: { key: 'x', value: value(1) }, version: { blockNum: 1, txNum: 0 } },
      { write: { key: 'y', value: value(1) }, version: { blockNum: 1, txNum: 1 } },
    ]);
    await store.eviction.evict();
    expect(store.memory.stats.keys).toBe(0);
    await ns.commit([{ write: { key: 'x', delete: true }, version: { blockNum: 2, txNum: 0 } }]);
    expect(await ns.get('x')).toBeUndefined();
    expect((await ns.rangePage('', '', 10)).map((e) => e.key)).toEqual(['y']);
    await store.eviction.evict();
    expect(await store.namespace('c', 1).get('x')).toBeUndefined();
  });

  it('refuses a budget that eviction could never satisfy', async () => {
    await expect(open({ slabBytes: 4096, memoryBudgetBytes: 4096, evictionFreeBytesMin: 4096 })).rejects.toThrow(/evictionFreeBytesMin \(4096\) must be below memoryBudgetBytes/);
    ledger = new LedgerDb(mkdtempSync(join(tmpdir(), 'x-')));
    await ledger.open();
  });
});
