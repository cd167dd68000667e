// YCSB (paper §6): preloaded records of a configurable size; workload A is 50%
// reads / 50% updates, B is 95% / 5%; keys uniform or Zipfian. Runs on the
// disaggregated store with a given remote memory and local cache, or on the
// paper's "generic XOV" baseline: a monolithic peer with LevelDB alone.

import type { HostConfigOverrides } from '@flexchain/host';
import { tieredStateFor } from '../commands/tiered-options';
import { closedLoop, preload, startBenchNetwork, type LoopResult } from './harness';
import { mulberry32, zipfSampler } from '@flexchain/host/bench-support';

/** Bytes of record data per preload transaction: keeps a preload envelope near a block's size. */
const PRELOAD_BYTES_PER_TX = 1024 * 1024;
/** The contract's load bound. */
const PRELOAD_RECORDS_PER_TX_MAX = 1000;
const KEY_DIGITS = 8;
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
  const bench = await startBenchNetwork('ycsb', { orgs: 1, cnodes: options.cnodes, config: ycsbConfig(options, slabBytes), ...(options.mnode ? { mnode: options.mnode } : {}) });
  try {
    const perTx = Math.max(1, Math.min(PRELOAD_RECORDS_PER_TX_MAX, Math.floor(PRELOAD_BYTES_PER_TX / options.recordSize)));
    await preload(options.records, perTx, (first, count) => bench.client.submit('ycsb', 'load', ['user', first, count, KEY_DIGITS, options.recordSize]), showProgress);

    const random = mulberry32(options.seed);
    const pick = zipfSampler(options.records, options.zipf, random);
    const key = () => 'user' + String(pick()).padStart(KEY_DIGITS, '0');
    const updates = UPDATE_SHARE[options.workload];
    const nextTx = (): [string, unknown[]] => (random() < updates ? ['update', [key(), options.recordSize]] : ['read', [key()]]);
    const result = await closedLoop(bench, 'ycsb', { clients: options.clients, durationMs: options.durationMs, label: `ycsb-${options.workload}` }, nextTx, showProgress);
    return { bench: 'ycsb', ...options, ...result };
  } finally {
    await bench.close();
  }
}
