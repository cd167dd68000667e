// What every `flexchain bench` shares: an embedded network in a temporary
// directory with one contract deployed, a preload phase with a progress bar,
// and a closed loop of clients that submit transactions for a fixed time.
// Every transaction, reads included, is submitted and committed (XOV).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { FlexChainError, TransactionInvalidError } from '@flexchain/sdk';
import { connect, type FlexChainClient } from '@flexchain/sdk/client';
import type { PeerStatus } from '@flexchain/sdk/protocol';
import { buildPackage, EmbeddedNetwork, loadSigningIdentity, type HostConfigOverrides } from '@flexchain/host';
import { cpuMicrosPer, ownCpuMicrosPer, readCpu } from './cpu-meter';

export const CONTRACTS_DIR = resolve(__dirname, '..', '..', '..', 'contracts');
/** How often progress bars refresh, in ms. */
const PROGRESS_INTERVAL_MS = 250;
/** Preload transactions in flight at once. */
const PRELOAD_CONCURRENCY = 4;

export class BenchArgumentError extends FlexChainError {
  override name = 'BenchArgumentError';
}

export interface LoopResult {
  readonly submitted: number;
  readonly committed: number;
  /** Invalidated by validation: MVCC or phantom conflicts. */
  readonly aborted: number;
  /** Refused by the contract during simulation. */
  readonly rejected: number;
  readonly tps: number;
  readonly abortRate: number;
  readonly latencyMs: { p50: number; p95: number; p99: number; max: number };
  readonly worldState: PeerStatus['worldState'];
  /** CPU of this process and every process under it (sandbox processes), per committed transaction, in µs. */
  readonly cpuMicrosPerTx: number;
  /** Of that, what this process (network and load generator) spent. */
  readonly cpuMicrosPerTxHere: number;
  /** Whether processes under this one are counted (Linux /proc). */
  readonly cpuIncludesChildren: boolean;
  /** Share of the run the first peer spent in each commit step (blocks commit one at a time): near 1 in total means commit is the bottleneck. */
  readonly commitShares?: { readonly v1: number; readonly mvcc: number; readonly write: number };
}

/** How an end-to-end benchmark runs its load and its network. */
export interface PipelineBenchOptions {
  durationMs: number;
  /** Closed-loop clients: transactions in flight. */
  clients: number;
  cnodes: number;
  orgs: number;
  seed: number;
  validation: 'sequential' | 'parallel';
  /** cNode worker threads per peer taking V2 tasks in parallel mode. */
  validationThreads: number;
  /** Whether each cNode runs its isolates in a sandbox process (HostConfig.sandboxProcesses). */
  sandboxProcesses: boolean;
  /** host:port of a memory node process for the (single) peer; default in-process. */
  mnode?: string;
}

export interface BenchNetwork {
  readonly client: FlexChainClient;
  readonly network: EmbeddedNetwork;
  close(): Promise<void>;
}

/** `mnode`: host:port of a memory node process for the single peer (orgs 1); default in-process. */
export async function startBenchNetwork(contract: string, options: { orgs: number; cnodes: number; config?: HostConfigOverrides; mnode?: string }): Promise<BenchNetwork> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexchain-bench-'));
  const network = await EmbeddedNetwork.start({ dataDir, orgs: options.orgs, cnodes: options.cnodes, grpc: false, ...(options.config ? { config: options.config } : {}), ...(options.mnode ? { mnodes: [options.mnode] } : {}) });
  const msp = join(dataDir, 'msp');
  const channelId = network.manifest.channelId;
  const admin = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'admin'), channelId });
  const built = await buildPackage(join(CONTRACTS_DIR, contract), { outDir: join(dataDir, 'package') });
  const orgs = network.membership.organisations;
  const policy = orgs.length === 1 ? `OR('${orgs[0]}.member')` : `OutOf(${Math.floor(orgs.length / 2) + 1}, ${orgs.map((o) => `'${o}.member'`).join(', ')})`;
  const approvers = orgs.filter((o) => o !== 'Org1MSP').map((o) => connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, o, 'admin'), channelId }));
  await admin.deploy(readFileSync(built.file, 'utf8'), { version: '1.0', policy, approvers });
  for (const c of [admin, ...approvers]) c.close();
  const client = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'client'), channelId });
  return {
    client,
    network,
    close: async () => {
      client.close();
      await network.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Loads items 0..total-1 in transactions of up to `perTx` (`load(first, count)`), a few at a time, with a progress bar counting items. */
export async function preload(total: number, perTx: number, load: (first: number, count: number) => Promise<unknown>, showProgress: boolean): Promise<void> {
  const bar = showProgress ? new SingleBar({ format: `${'preload'.padEnd(9)} [{bar}] {value}/{total}`, hideCursor: true, stream: process.stderr }) : undefined;
  bar?.start(total, 0);
  let next = 0;
  let done = 0;
  await Promise.all(
    Array.from({ length: PRELOAD_CONCURRENCY }, async () => {
      for (let first = next; first < total; first = next) {
        const count = Math.min(perTx, total - first);
        next += count;
        await load(first, count);
        bar?.update((done += count));
      }
    }),
  );
  bar?.stop();
}

/** Submits `nextTx()` from `clients` concurrent loops for `durationMs`; measures commits, aborts and latency. */
export async function closedLoop(bench: BenchNetwork, contract: string, options: { clients: number; durationMs: number; label: string }, nextTx: () => [string, unknown[]], showProgress: boolean): Promise<LoopResult> {
  const latencies: number[] = [];
  const before = (await bench.network.gateway.status()).peers[0]!.validation;
  let submitted = 0;
  let committed = 0;
  let aborted = 0;
  let rejected = 0;
  const cpuBefore = readCpu();
  const start = performance.now();
  const deadline = start + options.durationMs;
  const durationS = Math.round(options.durationMs / 1000);
  const bar = showProgress ? new SingleBar({ format: `${options.label.padEnd(9)} [{bar}] {elapsed}/{duration}s  {tps} tps  aborts {aborts}`, hideCursor: true, stream: process.stderr }) : undefined;
  bar?.start(durationS, 0, { elapsed: 0, duration: durationS, tps: 0, aborts: 0 });
  const progress = () => {
    const elapsed = (performance.now() - start) / 1000;
    bar?.update(Math.min(durationS, Math.floor(elapsed)), { elapsed: elapsed.toFixed(0), duration: durationS, tps: (committed / elapsed).toFixed(0), aborts: aborted });
  };
  const ticker = setInterval(progress, PROGRESS_INTERVAL_MS);
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < deadline) {
        const [fn, args] = nextTx();
        const t0 = performance.now();
        submitted++;
        try {
          await bench.client.submit(contract, fn, args);
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
  const cpuAfter = readCpu();
  clearInterval(ticker);
  progress();
  bar?.stop();
  const status = (await bench.network.gateway.status()).peers[0]!;
  const share = (ms: number) => Math.round((ms / elapsedMs) * 1000) / 1000;
  const after = status.validation;
  return {
    submitted,
    committed,
    aborted,
    rejected,
    tps: Math.round((committed * 1000) / elapsedMs),
    abortRate: submitted === 0 ? 0 : Math.round((aborted / submitted) * 10000) / 10000,
    latencyMs: latencySummary(latencies, 1),
    cpuMicrosPerTx: cpuMicrosPer(cpuBefore, cpuAfter, committed),
    cpuMicrosPerTxHere: ownCpuMicrosPer(cpuBefore, cpuAfter, committed),
    cpuIncludesChildren: cpuAfter.includesChildren,
    worldState: status.worldState,
    commitShares: { v1: share(after.v1Ms - before.v1Ms), mvcc: share(after.mvccMs - before.mvccMs), write: share(after.writeMs - before.writeMs) },
  };
}

/** p50, p95, p99 and max of `latencies` (sorted here), rounded to `decimals`. */
export function latencySummary(latencies: number[], decimals: number): LoopResult['latencyMs'] {
  latencies.sort((a, b) => a - b);
  const scale = 10 ** decimals;
  const at = (p: number) => Math.round((latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0) * scale) / scale;
  return { p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!m) throw new BenchArgumentError(`Duration ${JSON.stringify(text)} is not valid.`, { hint: 'Write e.g. 30s, 2m or 500ms.' });
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000);
}
