// Smallbank (paper §6): Pw share of writes (Amalgamate, TransactSavings,
// DepositChecking, SendPayment, WriteCheck), Query otherwise.

import { closedLoop, preload, startBenchNetwork, type LoopResult, type PipelineBenchOptions } from './harness';
import { mulberry32, zipfSampler } from '@flexchain/host/bench-support';

/** Accounts created per preload transaction (the contract's seedAccounts bound). */
const PRELOAD_ACCOUNTS_PER_TX = 1000;
/** Opening balances: large, so random small transfers rarely hit insufficient funds. */
const OPENING_BALANCE = 1_000_000;
/** Largest amount a generated transaction moves. */
const AMOUNT_MAX = 10;
const WRITE_OPS = ['amalgamate', 'transactSavings', 'depositChecking', 'sendPayment', 'writeCheck'] as const;

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
  const bench = await startBenchNetwork('smallbank', { ...options, config: { validation: options.validation, validationThreads: options.validationThreads, sandboxProcesses: options.sandboxProcesses } });
  try {
    await preload(options.accounts, PRELOAD_ACCOUNTS_PER_TX, (first, count) => bench.client.submit('smallbank', 'seedAccounts', [first, count, OPENING_BALANCE, OPENING_BALANCE]), showProgress);

    const nextTx = smallbankTxGenerator(options);
    const result = await closedLoop(bench, 'smallbank', { clients: options.clients, durationMs: options.durationMs, label: 'smallbank' }, nextTx, showProgress);
    return { workload: 'smallbank', ...options, ...result };
  } finally {
    await bench.close();
  }
}

/** The Smallbank transaction mix over accounts 0..accounts-1: Pw writes, queries otherwise. */
export function smallbankTxGenerator(options: { accounts: number; pw: number; zipf: number; seed: number }): () => [string, unknown[]] {
  const random = mulberry32(options.seed);
  const pick = zipfSampler(options.accounts, options.zipf, random);
  const account = () => String(pick());
  const other = (a: string) => {
    for (;;) {
      const b = account();
      if (b !== a || options.accounts === 1) return b;
    }
  };
  const amount = () => 1 + Math.floor(random() * AMOUNT_MAX);
  const nextTx = (): [string, unknown[]] => {
    if (random() >= options.pw) return ['query', [account()]];
    const op = WRITE_OPS[Math.floor(random() * WRITE_OPS.length)]!;
    const a = account();
    if (op === 'amalgamate') return [op, [a, other(a)]];
    if (op === 'sendPayment') return [op, [a, other(a), amount()]];
    return [op, [a, amount()]];
  };
  return nextTx;
}

/** The state seedAccounts leaves for accounts 0..accounts-1: [key, canonical JSON value], for benchmarks that start from state. */
export function smallbankPreloadEntries(accounts: number): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < accounts; i++) out.push([`checking:${i}`, String(OPENING_BALANCE)], [`savings:${i}`, String(OPENING_BALANCE)]);
  return out;
}
