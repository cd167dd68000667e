// Model-based test of the tiered world state: random interleavings of commits
// through different cNodes, reads and range scans through others, eviction
// rounds (also running while reads happen), garbage collection and tiny local
// caches, checked after every step against a plain map of committed state.
// One of the readers is a cNode in a worker thread (shared slabs, or its own
// TCP connection), whose reads are V2 checks against the model's versions.
// A stale committed read, ever, fails the test.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { compareUtf8, type Version } from '@flexchain/sdk';
import { LedgerDb } from '../storage/ledger-db';
import { StorageNode } from './storage-node';
import { MemoryNode } from './remote-memory/memory-node';
import type { MemoryControl } from './remote-memory/memory-control';
import { DEFAULT_TIERED_STATE_LIMITS, TieredWorldState } from './tiered-world-state';
import { MemoryNodeServer } from './transport/memory-node-server';
import { TcpMemoryClient } from './transport/tcp-memory-client';
import { ComputeNodeThread } from './thread/compute-node-thread';

type Command =
  | { kind: 'commit'; cnode: number; writes: [string, number | null][] }
  | { kind: 'read'; cnode: number; key: string }
  | { kind: 'range'; cnode: number; from: string; to: string }
  | { kind: 'evict' }
  | { kind: 'readsDuringEviction'; cnode: number; keys: string[] }
  | { kind: 'gc' };

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'k1', 'k2', 'k10', 'é', '\u{1F600}'];
const CNODES = 3;
/** Reader index of the cNode thread; commits through it go to cNode 0 (threads only read). */
const THREAD = CNODES;
const key = fc.constantFrom(...KEYS);
const cnode = fc.integer({ min: 0, max: THREAD });
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('commit' as const), cnode, writes: fc.array(fc.tuple(key, fc.option(fc.integer({ min: 0, max: 300 }), { nil: null })), { minLength: 1, maxLength: 6 }) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('read' as const), cnode, key }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('range' as const), cnode, from: fc.constantFrom('', 'b', 'd', 'k'), to: fc.constantFrom('', 'e', 'k2', 'z') }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'evict' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('readsDuringEviction' as const), cnode, keys: fc.array(key, { minLength: 1, maxLength: 5 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'gc' as const }) },
);

/** A value of `size` bytes that encodes which write produced it. */
function valueOf(version: Version, size: number): Uint8Array {
  const v = new Uint8Array(size + 4);
  new DataView(v.buffer).setUint32(0, version.blockNum * 16 + version.txNum);
  return v;
}

const LIMITS = {
  slabBytes: 2048,
  memoryBudgetBytes: 4 * 2048,
  allocationBytesMin: 64,
  gcThresholdBytes: 1024,
  evictionFreeBytesMin: 2048,
  evictionBatchKeys: 4,
  localCacheBytesMax: 600,
  metadataEntriesMax: 4,
  readBackoffMs: 0,
};

/** Where the memory node lives: in this process, or behind the TCP protocol. */
const TRANSPORTS: Record<string, () => Promise<{ memory?: MemoryControl; close: () => Promise<void> }>> = {
  'in-process': async () => ({ close: async () => {} }),
  tcp: async () => {
    const server = new MemoryNodeServer(new MemoryNode({ ...DEFAULT_TIERED_STATE_LIMITS, ...LIMITS }));
    const port = await server.listen(0);
    const client = await TcpMemoryClient.connect('127.0.0.1', port);
    return { memory: client, close: async () => (client.close(), server.close()) };
  },
};

describe.each(Object.keys(TRANSPORTS))('tiered world state against a model (%s memory node)', (transport) => {
  it('never returns a stale committed value, through commits, eviction, GC and cache churn', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 10, maxLength: 80 }), async (commands) => {
        const dir = mkdtempSync(join(tmpdir(), 'flexchain-tiered-'));
        const ledger = new LedgerDb(dir);
        await ledger.open();
        const node = await TRANSPORTS[transport]!();
        const store = new TieredWorldState({ storage: new StorageNode(ledger.tieredState), cnodeCount: CNODES, limits: LIMITS, ...(node.memory ? { memory: node.memory } : {}) });
        const thread = await ComputeNodeThread.start({ name: 'model-thread', ledgerLocation: dir, limits: store.limits }, () => store.memory);
        store.addThread(thread);
        const model = new Map<string, { value: Uint8Array; version: Version }>();
        const ns = (i: number) => store.namespace('c', i % CNODES);
        const inRange = (from: string, to: string) =>
          [...model]
            .filter(([k]) => compareUtf8(k, from) >= 0 && (to === '' || compareUtf8(k, to) < 0))
            .sort(([x], [y]) => compareUtf8(x, y))
            .map(([k, v]) => ({ key: k, version: v.version }));
        let blockNum = 1;
        const expectRead = async (i: number, k: string) => {
          if (i === THREAD) return expect(await thread.check({ contract: 'c', reads: [{ key: k, version: model.get(k)?.version }], rangeQueries: [], pending: [] })).toBe('VALID');
          const got = await ns(i).get(k);
          const want = model.get(k);
          expect(got === undefined ? undefined : { value: Buffer.from(got.value).toString('hex'), version: got.version }).toEqual(
            want === undefined ? undefined : { value: Buffer.from(want.value).toString('hex'), version: want.version },
          );
        };
        try {
          for (const c of commands) {
            switch (c.kind) {
              case 'commit': {
                const batch = c.writes.map(([k, size], txNum) => {
                  const version = { blockNum, txNum };
                  return { write: size === null ? { key: k, delete: true as const } : { key: k, value: valueOf(version, size) }, version };
                });
                await ns(c.cnode).commit(batch);
                for (const { write, version } of batch) {
                  if ('delete' in write) model.delete(write.key);
                  else model.set(write.key, { value: write.value, version });
                }
                blockNum++;
                break;
              }
              case 'read':
                await expectRead(c.cnode, c.key);
                break;
              case 'range': {
                const want = inRange(c.from, c.to);
                if (c.cnode === THREAD) {
                  expect(await thread.check({ contract: 'c', reads: [], rangeQueries: [{ startKey: c.from, endKey: c.to, reads: want }], pending: [] })).toBe('VALID');
                  break;
                }
                const got = (await ns(c.cnode).rangePage(c.from, c.to, 1000)).map((e) => ({ key: e.key, version: e.version }));
                expect(got).toEqual(want);
                break;
              }
              case 'evict':
                await store.eviction.evict();
                break;
              case 'readsDuringEviction': {
                const round = store.eviction.evict();
                await Promise.all(c.keys.map((k) => expectRead(c.cnode, k)));
                await round;
                break;
              }
              case 'gc':
                await store.memory.collectGarbage();
                break;
            }
          }
          for (const k of KEYS) for (let i = 0; i <= THREAD; i++) await expectRead(i, k);
          await store.memory.refreshStats();
          expect(store.memory.stats.usedBytes).toBeLessThanOrEqual(4 * 2048);
        } finally {
          await thread.close();
          await node.close();
          await ledger.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
