// Smallbank (paper §6): Pw share of writes (Amalgamate, TransactSavings,
// DepositChecking, SendPayment, WriteCheck), Query otherwise.

import { closedLoop, pipelineConfig, preload, startBenchNetwork, type LoopResult, type PipelineBenchOptions } from './harness';
import { SMALLBANK_OPENING_BALANCE } from './workloads';

/** Accounts created per preload transaction (the contract's seedAccounts bound). */
const PRELOAD_ACCOUNTS_PER_TX = 1000;

export interface SmallbankBenchOptions extends PipelineBenchOptions {
  accounts: number;
  pw: number;
  /** Zipf exponent of account choice; 0 is uniform. */
  zipf: number;
}

export interface SmallbankBenchResult extends SmallbankBenchOptions, LoopResult {
  readonly workload: 'smallbank';
}

export async function runSmallbankBench(options: SmallbankBenchOptions, showProgress: boolean): Promise<SmallbankBenchResult> {
  const bench = await startBenchNetwork('smallbank', { ...options, config: pipelineConfig(options) });
  try {
    const balance = SMALLBANK_OPENING_BALANCE;
    await preload(options.accounts, PRELOAD_ACCOUNTS_PER_TX, (first, count) => bench.client.submit('smallbank', 'seedAccounts', [first, count, balance, balance]), showProgress);
    const workload = { kind: 'smallbank', accounts: options.accounts, pw: options.pw, zipf: options.zipf, seed: options.seed } as const;
    const result = await closedLoop(bench, 'smallbank', { ...options, label: 'smallbank' }, workload, showProgress);
    return { workload: 'smallbank', ...options, ...result };
  } finally {
    await bench.close();
  }
}
