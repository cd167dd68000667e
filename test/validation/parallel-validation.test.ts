// Parallel validation (paper §5.2) must commit exactly what sequential
// validation commits. Thousands of random blocks (zipf-skewed keys, reads,
// writes, deletes, range queries, stale versions, duplicate tx ids,
// transactions already invalid at V1) are validated both ways, each way on its
// own peer world state from the same starting state: the codes, the writes and
// the final state must be identical, and equal to a plain model of committed
// versions. Run in process and against memory node processes over TCP; the
// parallel side also hands V2 to cNode worker threads (shared slabs, or their
// own TCP connection), whose caches the commits must keep coherent.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveHostConfig, type HostConfigOverrides } from '@flexchain/host';
import { accessOf, dependencyGraphOf, dependencyGraphOfVerdicts, openWorldState, SyntheticBlocks, validateBlock, type BenchWorldState, type SyntheticBlockOptions, type ValidationLanes } from '@flexchain/host/bench-support';
import type { TxValidationCodeName, Version } from '@flexchain/sdk';
import { startMemoryNode } from '../support/processes';

const CONTRACT = 'bank';
const SHAPE: SyntheticBlockOptions = {
  contract: CONTRACT,
  keys: 200,
  txsPerBlock: 24,
  zipf: 0,
  readsMax: 4,
  writesMax: 3,
  deleteShare: 0.1,
  rangeShare: 0.15,
  rangeKeysMax: 12,
  staleShare: 0.05,
  v1InvalidShare: 0.05,
  duplicateShare: 0.02,
  valueBytes: 64,
};

/** A remote memory pool far smaller than the data set, so eviction and storage reads happen throughout. */
const tightMemory = (budgetBytes: number): HostConfigOverrides => ({
  worldState: 'disaggregated',
  tieredState: { slabBytes: budgetBytes / 2, memoryBudgetBytes: budgetBytes, evictionFreeBytesMin: budgetBytes - 4096, evictionBatchKeys: 16, localCacheBytesMax: 2048, metadataEntriesMax: 16 },
});

async function scan(state: BenchWorldState): Promise<[string, Version, string][]> {
  const out: [string, Version, string][] = [];
  for await (const e of state.namespace(CONTRACT, 0).range('', '')) out.push([e.key, e.version, Buffer.from(e.value).toString()]);
  return out;
}

/** Opens the sequential side's and the parallel side's world state; the parallel side may have cNode threads. */
async function runBothWays(blocks: number, seed: number, open: (name: 'sequential' | 'parallel') => Promise<BenchWorldState>): Promise<Map<TxValidationCodeName, number>> {
  const sequential = await open('sequential');
  const parallel = await open('parallel');
  const tally = new Map<TxValidationCodeName, number>();
  try {
    const gen = new SyntheticBlocks(SHAPE, seed);
    const preload = gen.preload(1);
    await sequential.commitBlock(1, preload);
    await parallel.commitBlock(1, preload);
    gen.commit(preload);
    for (let n = 2; n < blocks + 2; n++) {
      gen.reshape({ zipf: n % 3, txsPerBlock: 1 + ((n * 7919) % 40) });
      const committedTxIds = gen.usedTxIds;
      const { verdicts, rwsets } = gen.next(n);
      // Half the blocks carry an orderer-style graph (edges of V1-invalid transactions too), half one a peer builds.
      const graph = n % 2 === 0 ? dependencyGraphOf(rwsets.map((rw) => accessOf(CONTRACT, rw))) : dependencyGraphOfVerdicts(verdicts);
      const input = (state: BenchWorldState) => ({ blockNum: n, verdicts, committedTxIds, stateOf: (c: string) => state.namespace(c, 0), ...(state.lanes ? { lanes: state.lanes } : {}) });
      const [a, b] = await Promise.all([
        validateBlock(input(sequential), { mode: 'sequential' }),
        validateBlock(input(parallel), { mode: 'parallel', graph, tasksMax: 1 + (n % 32) }),
      ]);
      expect({ block: n, codes: b.codes }).toEqual({ block: n, codes: a.codes });
      expect(b.writes).toEqual(a.writes);
      for (const code of a.codes) tally.set(code, (tally.get(code) ?? 0) + 1);
      await Promise.all([sequential.commitBlock(n, a.writes), parallel.commitBlock(n, b.writes)]);
      gen.commit(a.writes);
      if (n % 250 === 0 || n === blocks + 1) {
        const [s, p] = await Promise.all([scan(sequential), scan(parallel)]);
        expect(p).toEqual(s);
        expect(s.map(([key, version]) => [key, version])).toEqual(gen.snapshot());
      }
    }
    return tally;
  } finally {
    await Promise.all([sequential.close(), parallel.close()]);
  }
}

/** Every kind of outcome occurred, so the comparison was not between trivial blocks. */
function expectEveryOutcome(tally: Map<TxValidationCodeName, number>): void {
  for (const code of ['VALID', 'MVCC_READ_CONFLICT', 'PHANTOM_READ_CONFLICT', 'DUPLICATE_TXID', 'ENDORSEMENT_POLICY_FAILURE'] as const) expect(tally.get(code) ?? 0).toBeGreaterThan(10);
}

/** The parallel side really split V2 between the primary and its cNode threads. */
function expectBothLanes(lanes: readonly ValidationLanes[]): void {
  expect(lanes).toHaveLength(1);
  expect(lanes[0]!.checkedOnThreads).toBeGreaterThan(1000);
  expect(lanes[0]!.checkedLocally).toBeGreaterThan(1000);
}

describe('parallel validation commits exactly what sequential validation commits', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'flexchain-validation-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('in process, with remote memory far smaller than the data', async () => {
    const config = resolveHostConfig(tightMemory(2560 * 1024));
    const lanes: ValidationLanes[] = [];
    const tally = await runBothWays(2000, 7, async (name) => {
      // The parallel side also hands V2 to two cNode threads reading the shared slabs.
      const state = await openWorldState(join(tempDir(), name), name === 'parallel' ? { ...config, validationThreads: 2 } : config, 2);
      if (state.lanes) lanes.push(state.lanes);
      return state;
    });
    expectEveryOutcome(tally);
    expectBothLanes(lanes);
  }, 120_000);

  it('with LevelDB world state (generic XOV)', async () => {
    const config = resolveHostConfig({ worldState: 'leveldb' });
    expectEveryOutcome(await runBothWays(1000, 11, (name) => openWorldState(join(tempDir(), name), config, 1)));
  }, 120_000);

  it('over TCP to memory node processes', async () => {
    const mnodes = await Promise.all([startMemoryNode('8MiB'), startMemoryNode('8MiB')]);
    try {
      const config = resolveHostConfig(tightMemory(8 * 1024 * 1024));
      const lanes: ValidationLanes[] = [];
      let i = 0;
      const tally = await runBothWays(1000, 13, async (name) => {
        // The parallel side's cNode thread has its own connection to the memory node.
        const state = await openWorldState(join(tempDir(), name), name === 'parallel' ? { ...config, validationThreads: 1 } : config, 2, { mnode: mnodes[i++]!.endpoint });
        if (state.lanes) lanes.push(state.lanes);
        return state;
      });
      expectEveryOutcome(tally);
      expectBothLanes(lanes);
    } finally {
      await Promise.all(mnodes.map((m) => m.stop()));
    }
  }, 180_000);
});
