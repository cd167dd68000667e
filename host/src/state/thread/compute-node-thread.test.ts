// A cNode in a worker thread sees exactly the committed state the primary
// sees: its caches are kept coherent by acknowledged messages (invalidation,
// eviction, freed buffers, reset, a new memory node), over shared slabs and
// over its own TCP connection. Runs the compiled thread script (npm run build).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TxValidationCodeName, Version } from '@flexchain/sdk';
import { LedgerDb } from '../../storage/ledger-db';
import { ValidationLanes } from '../../validate/validation-lanes';
import { MemoryNode } from '../remote-memory/memory-node';
import { StorageNode } from '../storage-node';
import { TieredWorldState, type TieredStateLimits } from '../tiered-world-state';
import { MemoryNodeServer } from '../transport/memory-node-server';
import { TcpMemoryClient } from '../transport/tcp-memory-client';
import { ComputeNodeThread, type MvccTask } from './compute-node-thread';

const value = (n: number) => new Uint8Array(40).fill(n);
const v = (blockNum: number, txNum = 0): Version => ({ blockNum, txNum });
const readTask = (key: string, version: Version | undefined): MvccTask => ({ contract: 'c', reads: [{ key, version }], rangeQueries: [], pending: [] });

describe('cNode threads', () => {
  let dir: string;
  let ledger: LedgerDb;
  let store: TieredWorldState;
  let thread: ComputeNodeThread | undefined;

  const open = async (limits: Partial<TieredStateLimits> = {}, memory?: TcpMemoryClient) => {
    dir = mkdtempSync(join(tmpdir(), 'flexchain-cnode-thread-'));
    ledger = new LedgerDb(dir);
    await ledger.open();
    store = new TieredWorldState({ storage: new StorageNode(ledger.tieredState), cnodeCount: 1, limits: { readBackoffMs: 0, ...limits }, ...(memory ? { memory } : {}) });
    thread = await ComputeNodeThread.start({ name: 'test-thread', ledgerLocation: dir, limits: store.limits }, () => store.memory);
    store.addThread(thread);
    return store.namespace('c', 0);
  };
  afterEach(async () => {
    await thread?.close();
    thread = undefined;
    store.memory.close();
    await ledger.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (ns: ReturnType<TieredWorldState['namespace']>, key: string, n: number) => ns.commit([{ write: { key, value: value(n) }, version: v(n) }]);
  const check = (key: string, version: Version | undefined): Promise<TxValidationCodeName> => thread!.check(readTask(key, version));

  it('reads the shared slabs, and a write counts only once the thread has dropped its cached copy', async () => {
    const ns = await open();
    await put(ns, 'k', 1);
    expect(await check('k', v(1))).toBe('VALID'); // the thread now caches version 1
    await put(ns, 'k', 2);
    expect(await check('k', v(2))).toBe('VALID');
    expect(await check('k', v(1))).toBe('MVCC_READ_CONFLICT');
    expect((await thread!.stats()).memoryReads).toBe(3);
  });

  it('follows a key evicted to storage, and a freed buffer is reused only after the thread let go of it', async () => {
    const ns = await open();
    await put(ns, 'k', 1);
    expect(await check('k', v(1))).toBe('VALID');
    const freeBefore = store.memory.stats.freeBytes;
    expect(await store.eviction.evictKeys(['c\u0000k'])).toBe(1);
    // Held back until the thread acknowledges the free (a message it has not had a turn to answer yet).
    expect(store.memory.stats.freeBytes).toBe(freeBefore);
    while (store.memory.stats.freeBytes === freeBefore) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(store.memory.stats.freeBytes).toBeGreaterThan(freeBefore);
    expect(await check('k', v(1))).toBe('VALID');
    expect((await thread!.stats()).storageReads).toBe(1);
  });

  it('drops its slabs when the pool is reset, and re-attaches to a new memory node', async () => {
    const ns = await open();
    await put(ns, 'k', 1);
    expect(await check('k', v(1))).toBe('VALID');
    await store.memory.reset();
    await put(ns, 'other', 2); // lands where k's record was, in a new slab
    await put(ns, 'k', 3);
    expect(await check('k', v(3))).toBe('VALID');
    await store.replaceMemory(new MemoryNode(store.limits));
    await put(ns, 'k', 4);
    expect(await check('k', v(4))).toBe('VALID');
  });

  it('reads a remote memory node over its own connection, kept coherent the same way', async () => {
    const server = new MemoryNodeServer(new MemoryNode({ slabBytes: 1 << 20, memoryBudgetBytes: 4 << 20, allocationBytesMin: 64, gcThresholdBytes: 1 << 20 }));
    const port = await server.listen(0);
    try {
      const ns = await open({}, await TcpMemoryClient.connect('127.0.0.1', port));
      await put(ns, 'k', 1);
      expect(await check('k', v(1))).toBe('VALID');
      await put(ns, 'k', 2);
      expect(await check('k', v(2))).toBe('VALID');
      expect(await check('absent', undefined)).toBe('VALID');
    } finally {
      await thread?.close();
      thread = undefined;
      await server.close();
    }
  });

  it('a thread that stops loses its work to the primary and holds up no write', async () => {
    const ns = await open();
    await put(ns, 'k', 1);
    const lanes = new ValidationLanes(() => [thread!]);
    await thread!.close();
    expect(thread!.alive).toBe(false);
    await put(ns, 'k', 2); // the invalidation to the stopped thread does not block the write
    expect(await lanes.check(() => readTask('k', v(2)), async () => 'VALID')).toBe('VALID');
    expect(lanes.checkedLocally).toBe(1);
  });
});
