// YCSB at the world-state layer: the same reads and updates as `bench ycsb`,
// issued straight to a peer's world state (through PeerWorldState, the code
// the peer's simulation and commit paths use), without the sandbox, the
// signatures and the ordering around them. Updates are batched into blocks
// that commit one at a time, as on a peer. This isolates what remote memory and
// local caches buy against LevelDB alone.

import { cpuMicrosPer, ownCpuMicrosPer, readCpu } from './cpu-meter';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { resolveHostConfig, type HostConfig } from '@flexchain/host';
import { mulberry32, openWorldState, zipfSampler, type BenchWorldState } from '@flexchain/host/bench-support';
import { latencySummary, type LoopResult } from './harness';
import { UPDATE_SHARE, ycsbConfig, type YcsbBenchOptions } from './ycsb';

const CONTRACT = 'ycsb';
const KEY_DIGITS = 8;
/** Writes per preload block. */
const PRELOAD_BLOCK_WRITES = 1000;
/** Most updates in one block; a block commits when full or when the committer comes round. */
const BLOCK_WRITES_MAX = 500;
const PROGRESS_INTERVAL_MS = 250;
/** A block with pending updates commits at least this often, in ms (the orderer's block timeout). */
const BLOCK_TIMEOUT_MS = 5;

export interface YcsbStateResult extends YcsbBenchOptions, LoopResult {
  readonly bench: 'ycsb-state';
  readonly readsPerSecond: number;
  readonly blocks: number;
}

export async function runYcsbStateBench(options: YcsbBenchOptions, showProgress: boolean): Promise<YcsbStateResult> {
  const config: HostConfig = resolveHostConfig(ycsbConfig(options, resolveHostConfig().tieredState.slabBytes));
  const dir = mkdtempSync(join(tmpdir(), 'flexchain-bench-state-'));
  const state: BenchWorldState = await openWorldState(dir, config, options.cnodes, options.mnode ? { mnode: options.mnode } : {});
  const random = mulberry32(options.seed);
  const keyOf = (i: number) => 'user' + String(i).padStart(KEY_DIGITS, '0');
  const value = () => {
    const v = new Uint8Array(options.recordSize);
    for (let i = 0; i < v.length; i += 4) v[i] = (random() * 256) | 0;
    return v;
  };
  let blockNum = 1;
  let committing: Promise<void> = Promise.resolve();
  try {
    const bar = showProgress ? new SingleBar({ format: 'preload   [{bar}] {value}/{total}', hideCursor: true, stream: process.stderr }) : undefined;
    bar?.start(options.records, 0);
    for (let first = 0; first < options.records; first += PRELOAD_BLOCK_WRITES, blockNum++) {
      const count = Math.min(PRELOAD_BLOCK_WRITES, options.records - first);
      await state.commitBlock(blockNum, Array.from({ length: count }, (_, i) => ({ contract: CONTRACT, write: { key: keyOf(first + i), value: value() }, version: { blockNum, txNum: i } })));
      bar?.update(first + count);
    }
    bar?.stop();

    const pick = zipfSampler(options.records, options.zipf, random);
    const updates = UPDATE_SHARE[options.workload];
    const latencies: number[] = [];
    let reads = 0;
    let committed = 0;
    let blocks = 0;
    let pending: { key: string; done: () => void }[] = [];
    const cpuBefore = readCpu();
    const start = performance.now();
    const deadline = start + options.durationMs;
    const commitPending = () => {
      committing = committing.then(async () => {
        const batch = pending.splice(0, BLOCK_WRITES_MAX);
        if (batch.length === 0) return;
        const num = blockNum++;
        await state.commitBlock(num, batch.map((p, txNum) => ({ contract: CONTRACT, write: { key: p.key, value: value() }, version: { blockNum: num, txNum } })));
        blocks++;
        for (const p of batch) p.done();
      });
      return committing;
    };
    const durationS = Math.round(options.durationMs / 1000);
    const progressBar = showProgress ? new SingleBar({ format: `state-${options.workload}   [{bar}] {elapsed}/{duration}s  {ops} ops/s`, hideCursor: true, stream: process.stderr }) : undefined;
    progressBar?.start(durationS, 0, { elapsed: 0, duration: durationS, ops: 0 });
    const ticker = setInterval(() => {
      const elapsed = (performance.now() - start) / 1000;
      progressBar?.update(Math.min(durationS, Math.floor(elapsed)), { elapsed: elapsed.toFixed(0), duration: durationS, ops: ((reads + committed) / elapsed).toFixed(0) });
    }, PROGRESS_INTERVAL_MS);
    const cutter = setInterval(() => void commitPending(), BLOCK_TIMEOUT_MS);
    await Promise.all(
      Array.from({ length: options.clients }, async (_, client) => {
        const ns = state.namespace(CONTRACT, client % options.cnodes);
        while (performance.now() < deadline) {
          const key = keyOf(pick());
          const t0 = performance.now();
          await ns.get(key);
          if (random() < updates) {
            await new Promise<void>((done) => {
              pending.push({ key, done });
              if (pending.length >= BLOCK_WRITES_MAX) void commitPending();
            });
            committed++;
          } else reads++;
          latencies.push(performance.now() - t0);
        }
      }),
    );
    clearInterval(ticker);
    clearInterval(cutter);
    await commitPending();
    progressBar?.stop();
    const elapsedMs = performance.now() - start;
    const cpuAfter = readCpu();
    return {
      bench: 'ycsb-state',
      ...options,
      cpuMicrosPerTx: cpuMicrosPer(cpuBefore, cpuAfter, reads + committed),
      cpuMicrosPerTxHere: ownCpuMicrosPer(cpuBefore, cpuAfter, reads + committed),
      cpuIncludesChildren: cpuAfter.includesChildren,
      submitted: reads + committed,
      committed: reads + committed,
      aborted: 0,
      rejected: 0,
      tps: Math.round(((reads + committed) * 1000) / elapsedMs),
      readsPerSecond: Math.round((reads * 1000) / elapsedMs),
      abortRate: 0,
      blocks,
      latencyMs: latencySummary(latencies, 3),
      worldState: state.stats(),
    };
  } finally {
    // If a client failed, commits may still be running; close only after them so the real error surfaces.
    await committing.catch(() => undefined);
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
