// flexchain bench smallbank: drives an embedded network end to end (client
// signatures, endorsement, ordering, V1 signature checks, MVCC, commit) with a
// closed loop of clients, and reports committed throughput, latency and aborts.
// Every transaction, the 1 - Pw share of Query included, is submitted and
// committed, as in the paper's XOV setting.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { FlexChainError, TransactionInvalidError } from '@flexchain/sdk';
import { connect } from '@flexchain/sdk/client';
import { buildPackage, EmbeddedNetwork, loadSigningIdentity } from '@flexchain/host';
import { printJson, style } from '../output';
import type { CommandContext } from './command-context';

const SMALLBANK_DIR = resolve(__dirname, '..', '..', '..', 'contracts', 'smallbank');
/** Accounts created per preload transaction (the contract's seedAccounts bound). */
const PRELOAD_ACCOUNTS_PER_TX = 1000;
/** Preload transactions in flight at once. */
const PRELOAD_CONCURRENCY = 4;
/** Opening balances: large, so random small transfers rarely hit insufficient funds. */
const OPENING_BALANCE = 1_000_000;
/** Largest amount a generated transaction moves. */
const AMOUNT_MAX = 10;
/** How often the progress bar refreshes, in ms. */
const PROGRESS_INTERVAL_MS = 250;
const WRITE_OPS = ['amalgamate', 'transactSavings', 'depositChecking', 'sendPayment', 'writeCheck'] as const;

export class BenchArgumentError extends FlexChainError {
  override name = 'BenchArgumentError';
}

export interface SmallbankBenchOptions {
  accounts: number;
  pw: number;
  durationMs: number;
  clients: number;
  cnodes: number;
  orgs: number;
  seed: number;
}

export interface SmallbankBenchResult extends SmallbankBenchOptions {
  readonly workload: 'smallbank';
  readonly submitted: number;
  readonly committed: number;
  /** Invalidated by validation: MVCC or phantom conflicts. */
  readonly aborted: number;
  /** Refused by the contract during simulation (e.g. insufficient funds). */
  readonly rejected: number;
  readonly tps: number;
  readonly abortRate: number;
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number };
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new BenchArgumentError(`Duration ${JSON.stringify(text)} is not valid.`, { hint: 'Write e.g. 30s, 2m or 500ms.' });
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runSmallbankBench(options: SmallbankBenchOptions, showProgress: boolean): Promise<SmallbankBenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexchain-bench-'));
  const network = await EmbeddedNetwork.start({ dataDir, orgs: options.orgs, cnodes: options.cnodes, grpc: false });
  try {
    const msp = join(dataDir, 'msp');
    const channelId = network.manifest.channelId;
    const admin = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'admin'), channelId });
    const built = await buildPackage(SMALLBANK_DIR, { outDir: join(dataDir, 'package') });
    const policy = options.orgs === 1 ? "OR('Org1.member')" : `OutOf(${Math.floor(options.orgs / 2) + 1}, ${network.membership.organisations.map((o) => `'${o}.member'`).join(', ')})`;
    await admin.deploy(readFileSync(built.file, 'utf8'), { version: '1.0', policy });
    const client = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'client'), channelId });

    const batches = Math.ceil(options.accounts / PRELOAD_ACCOUNTS_PER_TX);
    const preload = showProgress ? new SingleBar({ format: 'preload  [{bar}] {value}/{total} accounts', hideCursor: true, stream: process.stderr }) : undefined;
    preload?.start(options.accounts, 0);
    let nextBatch = 0;
    let loaded = 0;
    await Promise.all(
      Array.from({ length: PRELOAD_CONCURRENCY }, async () => {
        for (let b = nextBatch++; b < batches; b = nextBatch++) {
          const first = b * PRELOAD_ACCOUNTS_PER_TX;
          const count = Math.min(PRELOAD_ACCOUNTS_PER_TX, options.accounts - first);
          await client.submit('smallbank', 'seedAccounts', [first, count, OPENING_BALANCE, OPENING_BALANCE]);
          preload?.update((loaded += count));
        }
      }),
    );
    preload?.stop();

    const random = mulberry32(options.seed);
    const account = () => String(Math.floor(random() * options.accounts));
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
      switch (op) {
        case 'amalgamate':
        case 'sendPayment':
          return op === 'amalgamate' ? [op, [a, other(a)]] : [op, [a, other(a), amount()]];
        case 'transactSavings':
          return [op, [a, amount()]];
        default:
          return [op, [a, amount()]];
      }
    };

    const latencies: number[] = [];
    let submitted = 0;
    let committed = 0;
    let aborted = 0;
    let rejected = 0;
    const start = performance.now();
    const deadline = start + options.durationMs;
    const bar = showProgress ? new SingleBar({ format: 'smallbank [{bar}] {elapsed}/{duration}s  {tps} tps  aborts {aborts}', hideCursor: true, stream: process.stderr }) : undefined;
    const durationS = Math.round(options.durationMs / 1000);
    bar?.start(durationS, 0, { elapsed: 0, duration: durationS, tps: 0, aborts: 0 });
    const ticker = setInterval(() => {
      const elapsed = (performance.now() - start) / 1000;
      bar?.update(Math.min(durationS, Math.floor(elapsed)), { elapsed: elapsed.toFixed(0), duration: durationS, tps: (committed / elapsed).toFixed(0), aborts: aborted });
    }, PROGRESS_INTERVAL_MS);
    await Promise.all(
      Array.from({ length: options.clients }, async () => {
        while (performance.now() < deadline) {
          const [fn, args] = nextTx();
          const t0 = performance.now();
          submitted++;
          try {
            await client.submit('smallbank', fn, args);
            committed++;
            latencies.push(performance.now() - t0);
          } catch (err) {
            if (err instanceof TransactionInvalidError) aborted++;
            else rejected++;
          }
        }
      }),
    );
    const elapsedMs = performance.now() - start;
    clearInterval(ticker);
    bar?.update(durationS, { elapsed: (elapsedMs / 1000).toFixed(0), duration: durationS, tps: ((committed * 1000) / elapsedMs).toFixed(0), aborts: aborted });
    bar?.stop();
    admin.close();
    client.close();
    latencies.sort((a, b) => a - b);
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      workload: 'smallbank',
      ...options,
      submitted,
      committed,
      aborted,
      rejected,
      tps: Math.round((committed * 1000) / elapsedMs),
      abortRate: submitted === 0 ? 0 : round((aborted / submitted) * 1000) / 1000,
      latencyMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)), max: round(latencies.at(-1) ?? 0) },
    };
  } finally {
    await network.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function registerBenchCommands(program: Command, ctx: CommandContext): void {
  const bench = program.command('bench').description('benchmarks that drive an embedded network and print figures');
  const num = (name: string, test: (n: number) => boolean, what: string) => (value: string) => {
    const n = Number(value);
    if (!test(n)) throw new BenchArgumentError(`${name} must be ${what}, got ${JSON.stringify(value)}.`);
    return n;
  };
  const positiveInt = (name: string) => num(name, (n) => Number.isSafeInteger(n) && n > 0, 'a positive whole number');
  bench
    .command('smallbank')
    .description('Smallbank: Pw share of writes (Amalgamate, TransactSavings, DepositChecking, SendPayment, WriteCheck), Query otherwise')
    .option('--accounts <n>', 'customer accounts', positiveInt('--accounts'), 10_000)
    .option('--pw <p>', 'share of write transactions, 0 to 1', num('--pw', (n) => n >= 0 && n <= 1, 'between 0 and 1'), 0.95)
    .option('--duration <time>', 'measuring time, e.g. 30s', '30s')
    .option('--clients <n>', 'concurrent closed-loop clients', positiveInt('--clients'), 64)
    .option('--cnodes <n>', 'cNodes per peer', positiveInt('--cnodes'), 2)
    .option('--orgs <n>', 'organisations (one peer each); endorsement needs a majority', positiveInt('--orgs'), 1)
    .option('--seed <n>', 'seed of the workload generator', positiveInt('--seed'), 1)
    .option('--json', 'print the figures as JSON')
    .action(async (opts: { accounts: number; pw: number; duration: string; clients: number; cnodes: number; orgs: number; seed: number; json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      const result = await runSmallbankBench(
        { accounts: opts.accounts, pw: opts.pw, durationMs: parseDuration(opts.duration), clients: opts.clients, cnodes: opts.cnodes, orgs: opts.orgs, seed: opts.seed },
        !ctx.json && Boolean(process.stderr.isTTY),
      );
      if (ctx.json) return printJson(result);
      console.log(`${style.bold('smallbank')}  ${result.accounts} accounts, Pw ${result.pw}, ${result.clients} clients, ${result.orgs} org(s) × ${result.cnodes} cNodes, ${(result.durationMs / 1000).toFixed(0)} s`);
      console.log(`  committed tps   ${style.bold(String(result.tps))}`);
      console.log(`  latency ms      p50 ${result.latencyMs.p50}  p95 ${result.latencyMs.p95}  p99 ${result.latencyMs.p99}  max ${result.latencyMs.max}`);
      console.log(`  abort rate      ${(result.abortRate * 100).toFixed(2)}%  (${result.aborted} MVCC/phantom of ${result.submitted} submitted; ${result.rejected} refused by the contract)`);
    });
}
