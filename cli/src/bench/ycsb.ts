// YCSB (paper §6): preloaded records of a configurable size; workload A is 50%
// reads / 50% updates, B is 95% / 5%; keys uniform or Zipfian. Runs on the
// disaggregated store with a given remote memory and local cache, or on the
// paper's "generic XOV" baseline: a monolithic peer with LevelDB alone.

import type { HostConfigOverrides } from '@flexchain/host';
import { tieredStateFor } from '../commands/tiered-options';
import { closedLoop, preload, startBenchNetwork, type LoopResult } from './harness';
import { YCSB_KEY_DIGITS } from './workloads';

/** Bytes of record data per preload transaction: keeps a preload envelope near a block's size. */
const PRELOAD_BYTES_PER_TX = 1024 * 1024;
/** The contract's load bound. */
const PRELOAD_RECORDS_PER_TX_MAX = 1000;
export const UPDATE_SHARE = { a: 0.5, b: 0.05 } as const;

export interface YcsbBenchOptions {
  workload: 'a' | 'b';
  records: number;
  recordSize: number;
  zipf: number;
  durationMs: number;
  clients: number;
  cnodes: number;
  seed: number;
  /** 'generic-xov' runs on LevelDB alone. */
  baseline?: 'generic-xov';
  /** Remote memory budget, local cache per cNode and eviction threshold, in bytes (disaggregated only; see TieredSizes). */
  remoteMemoryBytes?: number;
  localCacheBytes?: number;
  evictBelowBytes?: number;
  /** LevelDB block cache, in bytes (both designs use LevelDB for storage). */
  leveldbCacheBytes?: number;
  validation: 'sequential' | 'parallel';
  /** cNode worker threads per peer taking V2 tasks in parallel mode (disaggregated only). */
  validationThreads: number;
  /** Whether each cNode runs its isolates in a sandbox process (HostConfig.sandboxProcesses). */
  sandboxProcesses: boolean;
  /** host:port of a memory node process; default in-process. */
  mnode?: string;
  /** Run the load in a process of its own, over gRPC. */
  clientsProcess?: boolean;
}

export interface YcsbBenchResult extends YcsbBenchOptions, LoopResult {
  readonly bench: 'ycsb';
}

export function ycsbConfig(options: YcsbBenchOptions, slabBytes: number): HostConfigOverrides {
  const common = { validation: options.validation, sandboxProcesses: options.sandboxProcesses, ...(options.leveldbCacheBytes === undefined ? {} : { leveldbCacheBytes: options.leveldbCacheBytes }) };
  if (options.baseline === 'generic-xov') return { worldState: 'leveldb', ...common };
  return { worldState: 'disaggregated', ...common, validationThreads: options.validationThreads, tieredState: tieredStateFor(options, slabBytes) };
}

export async function runYcsbBench(options: YcsbBenchOptions, slabBytes: number, showProgress: boolean): Promise<YcsbBenchResult> {
  const bench = await startBenchNetwork('ycsb', { orgs: 1, cnodes: options.cnodes, config: ycsbConfig(options, slabBytes), ...(options.mnode ? { mnode: options.mnode } : {}), ...(options.clientsProcess ? { clientsProcess: true } : {}) });
  try {
    const perTx = Math.max(1, Math.min(PRELOAD_RECORDS_PER_TX_MAX, Math.floor(PRELOAD_BYTES_PER_TX / options.recordSize)));
    await preload(options.records, perTx, (first, count) => bench.client.submit('ycsb', 'load', ['user', first, count, YCSB_KEY_DIGITS, options.recordSize]), showProgress);

    const workload = { kind: 'ycsb', records: options.records, recordSize: options.recordSize, updates: UPDATE_SHARE[options.workload], zipf: options.zipf, seed: options.seed } as const;
    const result = await closedLoop(bench, 'ycsb', { ...options, label: `ycsb-${options.workload}` }, workload, showProgress);
    return { bench: 'ycsb', ...options, ...result };
  } finally {
    await bench.close();
  }
}
