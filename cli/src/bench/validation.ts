// Validation alone (paper §5, Fig. 9's question): pre-made blocks, no
// execution, no signatures. Each run opens a fresh peer world state, preloads
// the records, then validates the same seeded blocks (V2 and V3) sequentially
// and in parallel with each number of validation tasks and of cNode threads.
// Only validation is timed; committing a block's writes between blocks is not.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { resolveHostConfig, type HostConfigOverrides } from '@flexchain/host';
import { dependencyGraphOfVerdicts, openWorldState, SyntheticBlocks, validateBlock, type SyntheticBlockOptions, type ValidationPlan } from '@flexchain/host/bench-support';

const CONTRACT = 'bench';

export interface ValidationBenchOptions {
  records: number;
  recordSize: number;
  blocks: number;
  txsPerBlock: number;
  readsPerTx: number;
  writesPerTx: number;
  zipf: number;
  /** Validation task counts to try in parallel mode. */
  tasks: number[];
  /** cNode thread counts to try in parallel mode (0: the primary alone). */
  threads: number[];
  /** host:port of a memory node process; default in-process. */
  mnode?: string;
  worldState: 'disaggregated' | 'leveldb';
  /** Data cache of the validating cNode, in bytes; default the host's. */
  localCacheBytes?: number;
  seed: number;
}

export interface ValidationRun {
  readonly mode: 'sequential' | 'parallel';
  readonly tasks: number;
  readonly threads: number;
  readonly txPerSecond: number;
  readonly validMs: number;
  readonly validShare: number;
  readonly speedup: number;
}

export interface ValidationBenchResult extends ValidationBenchOptions {
  readonly bench: 'validation';
  readonly runs: ValidationRun[];
}

export async function runValidationBench(options: ValidationBenchOptions, showProgress: boolean): Promise<ValidationBenchResult> {
  const plans: Plan[] = [{ mode: 'sequential' }, ...options.threads.flatMap((threads) => options.tasks.map((tasks) => ({ mode: 'parallel' as const, tasks, threads })))];
  const bar = showProgress ? new SingleBar({ format: 'validation [{bar}] {value}/{total} blocks  {run}', hideCursor: true, stream: process.stderr }) : undefined;
  bar?.start(plans.length * options.blocks, 0, { run: '' });
  const runs: ValidationRun[] = [];
  try {
    for (const plan of plans) {
      const label = plan.mode === 'sequential' ? 'sequential' : `parallel, ${plan.tasks} tasks, ${plan.threads} threads`;
      bar?.update({ run: label });
      const measured = await runOnce(options, plan, () => bar?.increment());
      const baseline = runs[0]?.txPerSecond ?? measured.txPerSecond;
      const [tasks, threads] = plan.mode === 'sequential' ? [1, 0] : [plan.tasks, plan.threads];
      runs.push({ mode: plan.mode, tasks, threads, ...measured, speedup: Math.round((measured.txPerSecond / baseline) * 100) / 100 });
    }
  } finally {
    bar?.stop();
  }
  return { bench: 'validation', ...options, runs };
}

type Plan = { mode: 'sequential' } | { mode: 'parallel'; tasks: number; threads: number };

async function runOnce(options: ValidationBenchOptions, plan: Plan, onBlock: () => void) {
  const overrides: HostConfigOverrides = {
    worldState: options.worldState,
    validationThreads: plan.mode === 'parallel' ? plan.threads : 0,
    ...(options.localCacheBytes === undefined ? {} : { tieredState: { localCacheBytesMax: options.localCacheBytes } }),
  };
  const dir = mkdtempSync(join(tmpdir(), 'flexchain-bench-validation-'));
  const state = await openWorldState(dir, resolveHostConfig(overrides), 1, options.mnode ? { mnode: options.mnode } : {});
  try {
    const shape: SyntheticBlockOptions = {
      contract: CONTRACT,
      keys: options.records,
      txsPerBlock: options.txsPerBlock,
      zipf: options.zipf,
      readsMax: options.readsPerTx,
      writesMax: options.writesPerTx,
      deleteShare: 0,
      rangeShare: 0,
      rangeKeysMax: 1,
      staleShare: 0,
      v1InvalidShare: 0,
      duplicateShare: 0,
      valueBytes: options.recordSize,
    };
    // The same seed for every run, so every mode validates the same blocks from the same state.
    const gen = new SyntheticBlocks(shape, options.seed);
    const preload = gen.preload(1);
    await state.commitBlock(1, preload);
    gen.commit(preload);
    let validatingMs = 0;
    let txs = 0;
    let valid = 0;
    for (let n = 2; n < options.blocks + 2; n++) {
      const committedTxIds = gen.usedTxIds;
      const { verdicts } = gen.next(n);
      const validation: ValidationPlan = plan.mode === 'sequential' ? { mode: 'sequential' } : { mode: 'parallel', graph: dependencyGraphOfVerdicts(verdicts), tasksMax: plan.tasks };
      const start = performance.now();
      const result = await validateBlock({ blockNum: n, verdicts, committedTxIds, stateOf: (c) => state.namespace(c, 0), ...(state.lanes ? { lanes: state.lanes } : {}) }, validation);
      validatingMs += performance.now() - start;
      txs += verdicts.length;
      valid += result.codes.filter((c) => c === 'VALID').length;
      await state.commitBlock(n, result.writes);
      gen.commit(result.writes);
      onBlock();
    }
    return { txPerSecond: Math.round((txs / validatingMs) * 1000), validMs: Math.round(validatingMs), validShare: Math.round((valid / txs) * 1000) / 1000 };
  } finally {
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
