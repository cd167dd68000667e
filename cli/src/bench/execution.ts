// `flexchain bench execution`: execution alone, per cNode count. Each cNode is
// what a peer runs (a sandbox process of its own by default), fed proposals by
// a closed loop with a fixed number in flight, reading state from an in-memory
// store. No ordering, validation or signatures: the figure is simulated
// transactions per second, so compute scaling can be read off directly.

import { join } from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { SingleBar } from 'cli-progress';
import { utf8Encode } from '@flexchain/sdk';
import { MemoryVersionedStore } from '@flexchain/sdk/testing';
import { newProposal } from '@flexchain/sdk/protocol';
import { buildPackage, ContractExecutor, resolveHostConfig, SandboxProcess, type ContractRunner } from '@flexchain/host';
import { mulberry32 } from '@flexchain/host/bench-support';
import { CONTRACTS_DIR } from './harness';
import { cpuMicrosPer, ownCpuMicrosPer, readCpu } from './cpu-meter';
import { runLoops, type LoopCounts } from './load-loop';
import { kmeansProfile, kmeansProfileId, smallbankPreloadEntries, txGeneratorOf } from './workloads';

/** How often the progress bar refreshes, in ms. */
const PROGRESS_INTERVAL_MS = 250;
/** A rate to three significant digits at least: kmeans runs a handful of transactions per second. */
const roundRate = (perSecond: number): number => (perSecond >= 100 ? Math.round(perSecond) : Math.round(perSecond * 10) / 10);

export interface ExecutionBenchOptions {
  readonly contract: 'smallbank' | 'kmeans';
  /** cNode counts to run, one after another. */
  readonly cnodes: readonly number[];
  readonly durationMs: number;
  /** Simulations in flight at once per cNode, so every run loads each cNode alike. */
  readonly inFlight: number;
  readonly sandboxProcesses: boolean;
  readonly seed: number;
  /** smallbank: accounts and write share. */
  readonly accounts: number;
  readonly pw: number;
  /** kmeans: profiles, features per profile, clusters and iterations of each getFood. */
  readonly profiles: number;
  readonly dimensions: number;
  readonly clusters: number;
  readonly epochs: number;
}

export interface ExecutionRun {
  readonly cnodes: number;
  readonly simulated: number;
  readonly failed: number;
  readonly txPerSecond: number;
  /** Against the first run, per cNode: 1 is perfect scaling. */
  readonly speedup: number;
  readonly perCnodeTxPerSecond: number;
  readonly cpuMicrosPerTx: number;
  /** Of that, what this process (the cNodes' side: state, IPC, the load) spent. */
  readonly cpuMicrosPerTxHere: number;
}

export interface ExecutionBenchResult extends ExecutionBenchOptions {
  readonly workload: 'execution';
  readonly runs: readonly ExecutionRun[];
  readonly cpuIncludesChildren: boolean;
}

const identity = { mspId: 'Org1MSP', id: 'bench-client', role: 'client' };
const creator = { mspId: 'Org1MSP', id: 'bench-client' };

function workload(options: ExecutionBenchOptions): { store: MemoryVersionedStore; nextTx: () => [string, unknown[]] } {
  const store = new MemoryVersionedStore();
  const version = { blockNum: 1, txNum: 0 };
  if (options.contract === 'smallbank') {
    store.apply(smallbankPreloadEntries(options.accounts).map(([key, value]) => ({ write: { key, value: utf8Encode(value) }, version })));
    return { store, nextTx: txGeneratorOf({ kind: 'smallbank', accounts: options.accounts, pw: options.pw, zipf: 0, seed: options.seed }) };
  }
  const random = mulberry32(options.seed);
  const profiles = Array.from({ length: options.profiles }, (_, i) => ({
    write: { key: `profile:${kmeansProfileId(i)}`, value: utf8Encode(JSON.stringify(kmeansProfile(random, options.dimensions))) },
    version,
  }));
  store.apply(profiles);
  return { store, nextTx: () => ['getFood', [options.clusters, options.epochs, 0]] };
}

export async function runExecutionBench(options: ExecutionBenchOptions, showProgress: boolean): Promise<ExecutionBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'flexchain-bench-execution-'));
  try {
    const { pkg } = await buildPackage(join(CONTRACTS_DIR, options.contract), { outDir: dir });
    const { store, nextTx } = workload(options);
    const state = { get: (key: string) => store.get(key), rangePage: async (start: string, end: string, limit: number) => store.scan(start, end).slice(0, limit) };
    const runs: ExecutionRun[] = [];
    let cpuIncludesChildren = true;
    for (const cnodes of options.cnodes) {
      const config = resolveHostConfig({ cnodeWorkers: 1 });
      const quiet = () => undefined;
      const processes = options.sandboxProcesses ? Array.from({ length: cnodes }, (_, i) => new SandboxProcess(`cnode${i}`, config, quiet, quiet)) : [];
      const runners: ContractRunner[] = options.sandboxProcesses ? processes.map((p) => p.runner(pkg)) : Array.from({ length: cnodes }, () => new ContractExecutor(pkg, config, quiet));
      try {
        const simulate = (runner: ContractRunner, fn: string, args: unknown[]) =>
          runner.simulate(newProposal({ channelId: 'bench', contract: options.contract, fn, args: args as never, creator, timestamp: { seconds: Math.floor(Date.now() / 1000), nanos: 0 } }), identity, state);
        // Warm up: every cNode has started its process, built its realm and run the contract.
        await Promise.all(runners.map((r) => simulate(r, ...nextTx())));
        const result = await measure(runners, simulate, nextTx, options, `${cnodes} cNode${cnodes === 1 ? '' : 's'}`, showProgress);
        cpuIncludesChildren &&= result.cpuIncludesChildren;
        const first = runs[0];
        const txPerSecond = result.txPerSecond;
        runs.push({
          cnodes,
          simulated: result.simulated,
          failed: result.failed,
          txPerSecond,
          speedup: first ? Math.round((txPerSecond / first.txPerSecond) * 100) / 100 : 1,
          perCnodeTxPerSecond: roundRate(txPerSecond / cnodes),
          cpuMicrosPerTx: result.cpuMicrosPerTx,
          cpuMicrosPerTxHere: result.cpuMicrosPerTxHere,
        });
      } finally {
        for (const r of runners) r.dispose();
        for (const p of processes) p.close();
      }
    }
    return { workload: 'execution', ...options, runs, cpuIncludesChildren };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(
  runners: readonly ContractRunner[],
  simulate: (runner: ContractRunner, fn: string, args: unknown[]) => Promise<unknown>,
  nextTx: () => [string, unknown[]],
  options: ExecutionBenchOptions,
  label: string,
  showProgress: boolean,
): Promise<{ simulated: number; failed: number; txPerSecond: number; cpuMicrosPerTx: number; cpuMicrosPerTxHere: number; cpuIncludesChildren: boolean }> {
  const counts: LoopCounts = { submitted: 0, committed: 0, aborted: 0, rejected: 0 };
  const durationS = Math.round(options.durationMs / 1000);
  const bar = showProgress ? new SingleBar({ format: `${label.padEnd(9)} [{bar}] {elapsed}/{duration}s  {tps} tx/s`, hideCursor: true, stream: process.stderr }) : undefined;
  const cpuBefore = readCpu();
  const start = performance.now();
  bar?.start(durationS, 0, { elapsed: 0, duration: durationS, tps: 0 });
  const ticker = setInterval(() => {
    const elapsed = (performance.now() - start) / 1000;
    bar?.update(Math.min(durationS, Math.floor(elapsed)), { elapsed: elapsed.toFixed(0), duration: durationS, tps: (counts.committed / elapsed).toFixed(0) });
  }, PROGRESS_INTERVAL_MS);
  const { committed: simulated, aborted, rejected, elapsedMs } = await runLoops(options.inFlight * runners.length, options.durationMs, (fn, args, i) => simulate(runners[i % runners.length]!, fn, args), nextTx, counts);
  const cpuAfter = readCpu();
  clearInterval(ticker);
  bar?.stop();
  return {
    simulated,
    failed: aborted + rejected,
    txPerSecond: roundRate((simulated * 1000) / elapsedMs),
    cpuMicrosPerTx: cpuMicrosPer(cpuBefore, cpuAfter, simulated),
    cpuMicrosPerTxHere: ownCpuMicrosPer(cpuBefore, cpuAfter, simulated),
    cpuIncludesChildren: cpuAfter.includesChildren,
  };
}
