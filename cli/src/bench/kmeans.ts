// K-Means (paper §6): households' profiles preloaded with updateProfile, then a
// closed loop of getFood, which clusters every profile inside the sandbox. It
// is compute-heavy and conflict-free (getFood reads only profiles, and only
// `--updates` of the transactions change one), so it shows what execution
// costs end to end and how adding cNodes helps.

import { mulberry32 } from '@flexchain/host/bench-support';
import { closedLoop, pipelineConfig, preload, startBenchNetwork, type LoopResult, type PipelineBenchOptions } from './harness';
import { kmeansProfile, kmeansProfileId } from './workloads';

/** Profiles written per preload transaction. */
const PRELOAD_PROFILES_PER_TX = 1;

export interface KmeansBenchOptions extends PipelineBenchOptions {
  profiles: number;
  dimensions: number;
  clusters: number;
  epochs: number;
  /** Share of transactions that update one profile instead of running getFood. */
  updates: number;
}

export interface KmeansBenchResult extends KmeansBenchOptions, LoopResult {
  readonly workload: 'kmeans';
}

export async function runKmeansBench(options: KmeansBenchOptions, showProgress: boolean): Promise<KmeansBenchResult> {
  const bench = await startBenchNetwork('kmeans', { ...options, config: pipelineConfig(options) });
  try {
    const random = mulberry32(options.seed);
    await preload(options.profiles, PRELOAD_PROFILES_PER_TX, (first) => bench.client.submit('kmeans', 'updateProfile', [kmeansProfileId(first), kmeansProfile(random, options.dimensions)]), showProgress);
    const { profiles, dimensions, clusters, epochs, updates } = options;
    const workload = { kind: 'kmeans', profiles, dimensions, clusters, epochs, updates, seed: options.seed + 1 } as const;
    const result = await closedLoop(bench, 'kmeans', { ...options, label: 'kmeans' }, workload, showProgress);
    return { workload: 'kmeans', ...options, ...result };
  } finally {
    await bench.close();
  }
}
