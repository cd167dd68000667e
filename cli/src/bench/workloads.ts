// What each end-to-end benchmark submits, as data: a benchmark's process and a
// load-generator process build the same transaction stream from the same spec.

import { mulberry32, zipfSampler } from '@flexchain/host/bench-support';

/** Smallbank opening balances: large, so random small transfers rarely hit insufficient funds. */
export const SMALLBANK_OPENING_BALANCE = 1_000_000;
/** Largest amount a generated Smallbank transaction moves. */
const SMALLBANK_AMOUNT_MAX = 10;
const SMALLBANK_WRITE_OPS = ['amalgamate', 'transactSavings', 'depositChecking', 'sendPayment', 'writeCheck'] as const;
/** Largest feature value of a generated kmeans profile. */
export const KMEANS_FEATURE_MAX = 1000;
/** Digits of a YCSB record key after "user". */
export const YCSB_KEY_DIGITS = 8;

export type WorkloadSpec =
  | { readonly kind: 'smallbank'; readonly accounts: number; readonly pw: number; readonly zipf: number; readonly seed: number }
  | { readonly kind: 'kmeans'; readonly profiles: number; readonly dimensions: number; readonly clusters: number; readonly epochs: number; readonly updates: number; readonly seed: number }
  | { readonly kind: 'ycsb'; readonly records: number; readonly recordSize: number; readonly updates: number; readonly zipf: number; readonly seed: number };

export const kmeansProfileId = (i: number): string => String(i).padStart(6, '0');
export const ycsbKey = (i: number): string => 'user' + String(i).padStart(YCSB_KEY_DIGITS, '0');

export function kmeansProfile(random: () => number, dimensions: number): number[] {
  return Array.from({ length: dimensions }, () => Math.floor(random() * KMEANS_FEATURE_MAX));
}

export function txGeneratorOf(spec: WorkloadSpec): () => [string, unknown[]] {
  if (spec.kind === 'smallbank') return smallbankTxGenerator(spec);
  const random = mulberry32(spec.seed);
  if (spec.kind === 'kmeans') {
    return () => (random() < spec.updates ? ['updateProfile', [kmeansProfileId(Math.floor(random() * spec.profiles)), kmeansProfile(random, spec.dimensions)]] : ['getFood', [spec.clusters, spec.epochs, 0]]);
  }
  const pick = zipfSampler(spec.records, spec.zipf, random);
  return () => (random() < spec.updates ? ['update', [ycsbKey(pick()), spec.recordSize]] : ['read', [ycsbKey(pick())]]);
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
  const amount = () => 1 + Math.floor(random() * SMALLBANK_AMOUNT_MAX);
  const nextTx = (): [string, unknown[]] => {
    if (random() >= options.pw) return ['query', [account()]];
    const op = SMALLBANK_WRITE_OPS[Math.floor(random() * SMALLBANK_WRITE_OPS.length)]!;
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
  for (let i = 0; i < accounts; i++) out.push([`checking:${i}`, String(SMALLBANK_OPENING_BALANCE)], [`savings:${i}`, String(SMALLBANK_OPENING_BALANCE)]);
  return out;
}
