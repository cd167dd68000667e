// What every `flexchain bench` shares: an embedded network in a temporary
// directory with one contract deployed, a preload phase with a progress bar,
// and a closed loop of clients that submit transactions for a fixed time.
// Every transaction, reads included, is submitted and committed (XOV).

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { FlexChainError } from '@flexchain/sdk';
import { connect, type ClientIdentityKeys, type FlexChainClient } from '@flexchain/sdk/client';
import { readHitRatio, type PeerStatus } from '@flexchain/sdk/protocol';
import { buildPackage, EmbeddedNetwork, loadSigningIdentity, type HostConfigOverrides } from '@flexchain/host';
import { cpuMicrosPer, ownCpuMicrosPer, readCpu } from './cpu-meter';
import { runLoadGenerator } from './load-generator-process';
import { runLoops, type LoopCounts, type LoopOutcome } from './load-loop';
import { txGeneratorOf, type WorkloadSpec } from './workloads';

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
  /** Share of point reads the first peer's sandbox processes answered from their read caches; absent without them. */
  readonly sandboxReadHitRatio?: number;
  /** CPU of this process and every process under it (sandbox processes), per committed transaction, in µs. */
  readonly cpuMicrosPerTx: number;
  /** Of that, what this process (the network, and the load generator unless it has a process of its own) spent. */
  readonly cpuMicrosPerTxHere: number;
  /** With a load-generator process: its CPU per committed transaction, in µs, not counted above. */
  readonly cpuMicrosPerTxLoad?: number;
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
  /** Run the load in a process of its own, over gRPC, so the figures show the network alone. */
  clientsProcess?: boolean;
}

export interface BenchNetwork {
  readonly client: FlexChainClient;
  readonly network: EmbeddedNetwork;
  /** The client identity's keys and the gateway's gRPC endpoint ('' without gRPC), for a load-generator process. */
  readonly clientKeys: ClientIdentityKeys;
  readonly endpoint: string;
  close(): Promise<void>;
}

/** The host settings a pipeline benchmark's options choose. */
export const pipelineConfig = (options: PipelineBenchOptions): HostConfigOverrides => ({ validation: options.validation, validationThreads: options.validationThreads, sandboxProcesses: options.sandboxProcesses });

/** `mnode`: host:port of a memory node process for the single peer (orgs 1); default in-process. */
export async function startBenchNetwork(contract: string, options: { orgs: number; cnodes: number; config?: HostConfigOverrides; mnode?: string; clientsProcess?: boolean }): Promise<BenchNetwork> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexchain-bench-'));
  const serving = options.clientsProcess ? { grpc: true, port: 0 } : { grpc: false };
  const network = await EmbeddedNetwork.start({ dataDir, orgs: options.orgs, cnodes: options.cnodes, ...serving, ...(options.config ? { config: options.config } : {}), ...(options.mnode ? { mnodes: [options.mnode] } : {}) });
  const msp = join(dataDir, 'msp');
  const channelId = network.manifest.channelId;
  const admin = connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, 'Org1MSP', 'admin'), channelId });
  const built = await buildPackage(join(CONTRACTS_DIR, contract), { outDir: join(dataDir, 'package') });
  const orgs = network.membership.organisations;
  const policy = orgs.length === 1 ? `OR('${orgs[0]}.member')` : `OutOf(${Math.floor(orgs.length / 2) + 1}, ${orgs.map((o) => `'${o}.member'`).join(', ')})`;
  const approvers = orgs.filter((o) => o !== 'Org1MSP').map((o) => connect({ gateway: network.gateway, identity: loadSigningIdentity(msp, o, 'admin'), channelId }));
  await admin.deploy(readFileSync(built.file, 'utf8'), { version: '1.0', policy, approvers });
  for (const c of [admin, ...approvers]) c.close();
  const clientKeys = loadSigningIdentity(msp, 'Org1MSP', 'client');
  const client = connect({ gateway: network.gateway, identity: clientKeys, channelId });
  return {
    client,
    network,
    clientKeys: { mspId: clientKeys.mspId, id: clientKeys.id, privateKey: clientKeys.privateKey },
    endpoint: network.endpoint,
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

/**
 * Submits the workload from `clients` concurrent loops for `durationMs`, in
 * this process or (clientsProcess) in a load-generator process talking gRPC;
 * measures commits, aborts, latency and CPU.
 */
export async function closedLoop(
  bench: BenchNetwork,
  contract: string,
  options: { clients: number; durationMs: number; label: string; clientsProcess?: boolean },
  workload: WorkloadSpec,
  showProgress: boolean,
): Promise<LoopResult> {
  const before = (await bench.network.gateway.status()).peers[0]!.validation;
  const counts: LoopCounts = { submitted: 0, committed: 0, aborted: 0, rejected: 0 };
  const cpuBefore = readCpu();
  const start = performance.now();
  const durationS = Math.round(options.durationMs / 1000);
  const bar = showProgress ? new SingleBar({ format: `${options.label.padEnd(9)} [{bar}] {elapsed}/{duration}s  {tps} tps  aborts {aborts}`, hideCursor: true, stream: process.stderr }) : undefined;
  bar?.start(durationS, 0, { elapsed: 0, duration: durationS, tps: 0, aborts: 0 });
  const progress = () => {
    const elapsed = (performance.now() - start) / 1000;
    bar?.update(Math.min(durationS, Math.floor(elapsed)), { elapsed: elapsed.toFixed(0), duration: durationS, tps: (counts.committed / elapsed).toFixed(0), aborts: counts.aborted });
  };
  const ticker = setInterval(progress, PROGRESS_INTERVAL_MS);
  let loadCpuMicros = 0;
  let outcome: LoopOutcome;
  try {
    if (options.clientsProcess) {
      const remote = await runLoadGenerator(bench, { contract, clients: options.clients, durationMs: options.durationMs, workload }, counts);
      outcome = remote.outcome;
      loadCpuMicros = remote.cpuMicros;
    } else {
      outcome = await runLoops(options.clients, options.durationMs, (fn, args) => bench.client.submit(contract, fn, args), txGeneratorOf(workload), counts);
    }
  } finally {
    clearInterval(ticker);
  }
  const cpuAfter = readCpu();
  progress();
  bar?.stop();
  const { submitted, committed, aborted, rejected, elapsedMs } = outcome;
  const status = (await bench.network.gateway.status()).peers[0]!;
  const share = (ms: number) => Math.round((ms / elapsedMs) * 1000) / 1000;
  const after = status.validation;
  const perTx = (micros: number) => (committed === 0 ? 0 : Math.round(micros / committed));
  return {
    submitted,
    committed,
    aborted,
    rejected,
    tps: Math.round((committed * 1000) / elapsedMs),
    abortRate: submitted === 0 ? 0 : Math.round((aborted / submitted) * 10000) / 10000,
    latencyMs: latencySummary(outcome.latencies, 1),
    // The network's CPU: with a load-generator process, its own CPU is taken out and shown apart.
    cpuMicrosPerTx: cpuMicrosPer(cpuBefore, cpuAfter, committed) - perTx(loadCpuMicros),
    cpuMicrosPerTxHere: ownCpuMicrosPer(cpuBefore, cpuAfter, committed),
    ...(options.clientsProcess ? { cpuMicrosPerTxLoad: perTx(loadCpuMicros) } : {}),
    cpuIncludesChildren: cpuAfter.includesChildren,
    worldState: status.worldState,
    ...sandboxReadsOf(status),
    commitShares: { v1: share(after.v1Ms - before.v1Ms), mvcc: share(after.mvccMs - before.mvccMs), write: share(after.writeMs - before.writeMs) },
  };
}

function sandboxReadsOf(status: PeerStatus): { sandboxReadHitRatio?: number } {
  const reads = status.cnodes.reduce((sum, c) => ({ hits: sum.hits + (c.sandboxReads?.hits ?? 0), misses: sum.misses + (c.sandboxReads?.misses ?? 0) }), { hits: 0, misses: 0 });
  const ratio = readHitRatio(reads);
  return ratio === undefined ? {} : { sandboxReadHitRatio: Math.round(ratio * 1000) / 1000 };
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
