// flexchain bench smallbank | ycsb | validation: benchmarks that print figures.

import type { Command } from 'commander';
import { DEFAULT_HOST_CONFIG } from '@flexchain/host';
import { BenchArgumentError, parseDuration, type LoopResult } from '../bench/harness';
import { runSmallbankBench } from '../bench/smallbank';
import { runYcsbBench } from '../bench/ycsb';
import { runYcsbStateBench } from '../bench/ycsb-state';
import { runValidationBench } from '../bench/validation';
import { runExecutionBench } from '../bench/execution';
import { runKmeansBench } from '../bench/kmeans';
import { printJson, style } from '../output';
import { countOption, numberOption, positiveWholeNumberOption } from '../ui/options';
import { formatSize, parseSize } from '../ui/sizes';
import type { CommandContext } from './command-context';
import { tieredSizesOf } from './tiered-options';

const num = numberOption;
const positiveInt = positiveWholeNumberOption;
const zipfOption = num('--zipf', (n) => n >= 0 && n <= 5, 'between 0 and 5');
/**
 * Transactions the closed loop keeps in flight. A block waits up to blockTimeoutMs for
 * transactions, so throughput is bounded by in-flight / latency: 64 clients cap near 600 tps.
 */
const IN_FLIGHT_DEFAULT = 1024;
/** The paper's getFood (K=20, 100 features, up to 2000 epochs) over 200 profiles: ~0.1 s of CPU, so compute dominates. */
const KMEANS_DEFAULTS = { profiles: 200, dimensions: 100, clusters: 20, epochs: 2000 } as const;

/** The kmeans workload's options; `label` prefixes their help where a command runs other workloads too. */
function kmeansOptions(command: Command, label: string): Command {
  return command
    .option('--profiles <n>', `${label}household profiles`, positiveInt('--profiles'), KMEANS_DEFAULTS.profiles)
    .option('--dimensions <n>', `${label}features per profile (the paper uses 100)`, positiveInt('--dimensions'), KMEANS_DEFAULTS.dimensions)
    .option('--clusters <n>', `${label}clusters per getFood (the paper uses 20)`, positiveInt('--clusters'), KMEANS_DEFAULTS.clusters)
    .option('--epochs <n>', `${label}most K-Means iterations per getFood (the paper uses 2000)`, positiveInt('--epochs'), KMEANS_DEFAULTS.epochs);
}

function validationMode(value: string): 'sequential' | 'parallel' {
  if (value !== 'sequential' && value !== 'parallel') throw new BenchArgumentError(`--validation must be sequential or parallel, got ${JSON.stringify(value)}.`);
  return value;
}

/** The options every end-to-end benchmark shares: how peers validate and where their memory node runs. */
function pipelineOptions(command: Command): Command {
  return command
    .option('--validation <mode>', 'sequential: V2/V3 in block order; parallel: by the dependency graph', validationMode, 'parallel')
    .option('--validation-threads <n>', 'cNode worker threads per peer that take V2 tasks in parallel mode', countOption('--validation-threads'), 0)
    .option('--mnode <host:port>', 'memory node process (`flexchain node --role mnode`) for the peer; default in-process')
    .option('--no-sandbox-processes', 'run contract isolates in the node process instead of one sandbox process per cNode')
    .option('--clients-process', 'run the load in a process of its own, over gRPC, so the figures show what the network costs without it');
}

const pipelineLabel = (r: { validation: string; validationThreads: number; sandboxProcesses: boolean; mnode?: string; clientsProcess?: boolean }) =>
  `${r.validation} validation${r.validationThreads > 0 ? ` (+${r.validationThreads} cNode threads)` : ''}, memory ${r.mnode ? `node at ${r.mnode} (TCP)` : 'in process'}, sandboxes ${r.sandboxProcesses ? 'in a process per cNode' : 'in the node process'}, load ${r.clientsProcess ? 'in a process of its own (gRPC)' : 'in the node process'}`;

function printLoop(result: LoopResult): void {
  console.log(`  committed tps   ${style.bold(String(result.tps))}`);
  const where =
    result.cpuMicrosPerTxLoad !== undefined
      ? `  (${result.cpuMicrosPerTxHere} in the node process, the rest in sandbox processes; the load-generator process spent ${result.cpuMicrosPerTxLoad} more)`
      : `  (${result.cpuMicrosPerTxHere} in the node and load-generator process, the rest in sandbox processes)`;
  console.log(`  CPU µs/tx       ${result.cpuMicrosPerTx}${result.cpuIncludesChildren ? where : ' (this process only)'}`);
  console.log(`  latency ms      p50 ${result.latencyMs.p50}  p95 ${result.latencyMs.p95}  p99 ${result.latencyMs.p99}  max ${result.latencyMs.max}`);
  console.log(`  abort rate      ${(result.abortRate * 100).toFixed(2)}%  (${result.aborted} MVCC/phantom of ${result.submitted} submitted; ${result.rejected} refused by the contract)`);
  const c = result.commitShares;
  if (c) {
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    console.log(`  commit busy     ${pct(c.v1 + c.mvcc + c.write)} of the run  (V1 ${pct(c.v1)}, V2/V3 ${pct(c.mvcc)}, write ${pct(c.write)})`);
  }
  const w = result.worldState;
  if (w.kind === 'disaggregated') {
    console.log(`  world state     remote memory ${formatSize(w.memoryUsedBytes ?? 0)} of ${formatSize(w.memoryBudgetBytes ?? 0)}, cache hit ${((w.cacheHitRatio ?? 0) * 100).toFixed(1)}%, reads from storage ${((w.storageReadShare ?? 0) * 100).toFixed(1)}%, evicted ${w.evictedKeys ?? 0} keys`);
  } else console.log('  world state     LevelDB alone (generic XOV)');
  if (result.sandboxReadHitRatio !== undefined) console.log(`  sandbox reads   ${(result.sandboxReadHitRatio * 100).toFixed(1)}% answered by the sandbox processes' read caches`);
}

export function registerBenchCommands(program: Command, ctx: CommandContext): void {
  const bench = program.command('bench').description('benchmarks that drive an embedded network end to end and print figures');
  const showProgress = () => !ctx.json && Boolean(process.stderr.isTTY);

  const smallbank = bench
    .command('smallbank')
    .description('Smallbank: Pw share of writes (Amalgamate, TransactSavings, DepositChecking, SendPayment, WriteCheck), Query otherwise')
    .option('--accounts <n>', 'customer accounts', positiveInt('--accounts'), 10_000)
    .option('--pw <p>', 'share of write transactions, 0 to 1', num('--pw', (n) => n >= 0 && n <= 1, 'between 0 and 1'), 0.95)
    .option('--duration <time>', 'measuring time, e.g. 30s', '30s')
    .option('--in-flight <n>', 'transactions in flight: closed-loop clients with one transaction each', positiveInt('--in-flight'), IN_FLIGHT_DEFAULT)
    .option('--clients <n>', 'the older name of --in-flight', positiveInt('--clients'))
    .option('--cnodes <n>', 'cNodes per peer', positiveInt('--cnodes'), 2)
    .option('--orgs <n>', 'organisations (one peer each); endorsement needs a majority', positiveInt('--orgs'), 1)
    .option('--zipf <s>', 'Zipf exponent of account popularity; 0 is uniform', zipfOption, 0)
    .option('--seed <n>', 'seed of the workload generator', positiveInt('--seed'), 1)
    .option('--json', 'print the figures as JSON');
  pipelineOptions(smallbank).action(async (opts: { accounts: number; pw: number; zipf: number; duration: string; clients?: number; inFlight: number; cnodes: number; orgs: number; seed: number; validation: 'sequential' | 'parallel'; validationThreads: number; sandboxProcesses: boolean; mnode?: string; clientsProcess?: boolean; json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      if (opts.mnode && opts.orgs !== 1) throw new BenchArgumentError('--mnode serves one peer; run it with --orgs 1.');
      const result = await runSmallbankBench({ clientsProcess: Boolean(opts.clientsProcess), accounts: opts.accounts, pw: opts.pw, zipf: opts.zipf, durationMs: parseDuration(opts.duration), clients: opts.clients ?? opts.inFlight, cnodes: opts.cnodes, orgs: opts.orgs, seed: opts.seed, validation: opts.validation, validationThreads: opts.validationThreads, sandboxProcesses: opts.sandboxProcesses, ...(opts.mnode ? { mnode: opts.mnode } : {}) }, showProgress());
      if (ctx.json) return printJson(result);
      console.log(`${style.bold('smallbank')}  ${result.accounts} accounts, Pw ${result.pw}, zipf ${result.zipf}, ${result.clients} in flight, ${result.orgs} org(s) × ${result.cnodes} cNodes, ${pipelineLabel(result)}, ${(result.durationMs / 1000).toFixed(0)} s`);
      printLoop(result);
    });

  const ycsb = bench
    .command('ycsb')
    .description('YCSB: workload a (50% updates) or b (5% updates) over preloaded records, uniform or Zipfian')
    .option('--workload <a|b>', 'a: 50% read / 50% update; b: 95% / 5%', 'a')
    .option('--records <n>', 'preloaded records', positiveInt('--records'), 100_000)
    .option('--record-size <size>', 'bytes per record, e.g. 1KiB (the paper uses 10KB)', '1KiB')
    .option('--remote-memory <size>', 'remote memory budget (disaggregated store)')
    .option('--local-cache <size>', 'data cache per cNode (disaggregated store)')
    .option('--evict-below <size>', 'start evicting below this much free remote memory (default: an eighth of the budget)')
    .option('--zipf <s>', 'Zipf exponent of key popularity; 0 is uniform', zipfOption, 0)
    .option('--baseline <generic-xov>', 'run the generic XOV baseline: a monolithic peer with LevelDB alone')
    .option('--leveldb-cache <size>', 'LevelDB block cache (default 8MiB)')
    .option('--layer <layer>', 'pipeline: whole transactions end to end; state: the world-state layer alone (no sandbox, signatures or ordering)', 'pipeline')
    .option('--duration <time>', 'measuring time, e.g. 30s', '30s')
    .option('--in-flight <n>', 'transactions in flight: closed-loop clients with one transaction each', positiveInt('--in-flight'), IN_FLIGHT_DEFAULT)
    .option('--clients <n>', 'the older name of --in-flight', positiveInt('--clients'))
    .option('--cnodes <n>', 'cNodes', positiveInt('--cnodes'), 2)
    .option('--seed <n>', 'seed of the workload generator', positiveInt('--seed'), 1)
    .option('--json', 'print the figures as JSON');
  pipelineOptions(ycsb).action(async (opts: { workload: string; records: number; recordSize: string; remoteMemory?: string; localCache?: string; evictBelow?: string; leveldbCache?: string; zipf: number; baseline?: string; layer: string; duration: string; clients?: number; inFlight: number; cnodes: number; seed: number; validation: 'sequential' | 'parallel'; validationThreads: number; sandboxProcesses: boolean; mnode?: string; clientsProcess?: boolean; json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      if (opts.workload !== 'a' && opts.workload !== 'b') throw new BenchArgumentError(`--workload must be a or b, got ${JSON.stringify(opts.workload)}.`);
      if (opts.baseline !== undefined && opts.baseline !== 'generic-xov') throw new BenchArgumentError(`--baseline must be generic-xov, got ${JSON.stringify(opts.baseline)}.`);
      if (opts.layer !== 'pipeline' && opts.layer !== 'state') throw new BenchArgumentError(`--layer must be pipeline or state, got ${JSON.stringify(opts.layer)}.`);
      if (opts.validationThreads > 0 && opts.baseline) throw new BenchArgumentError('--validation-threads adds cNode threads to the disaggregated store; the generic XOV baseline has none.', { hint: 'Drop --validation-threads or --baseline.' });
      if (opts.mnode && opts.baseline) throw new BenchArgumentError('--mnode serves the disaggregated store; the generic XOV baseline has no memory node.', { hint: 'Drop --mnode or --baseline.' });
      if (opts.clientsProcess && opts.layer === 'state') throw new BenchArgumentError('--clients-process drives the network over gRPC; --layer state has no network.', { hint: 'Drop --clients-process or --layer state.' });
      const options = {
          workload: opts.workload,
          records: opts.records,
          recordSize: parseSize(opts.recordSize, '--record-size'),
          zipf: opts.zipf,
          durationMs: parseDuration(opts.duration),
          clients: opts.clients ?? opts.inFlight,
          cnodes: opts.cnodes,
          seed: opts.seed,
          validation: opts.validation,
          validationThreads: opts.validationThreads,
          sandboxProcesses: opts.sandboxProcesses,
          clientsProcess: Boolean(opts.clientsProcess),
          ...(opts.mnode ? { mnode: opts.mnode } : {}),
          ...(opts.baseline ? { baseline: 'generic-xov' as const } : {}),
          ...tieredSizesOf(opts),
          ...(opts.leveldbCache ? { leveldbCacheBytes: parseSize(opts.leveldbCache, '--leveldb-cache') } : {}),
        } as const;
      const result = opts.layer === 'state' ? await runYcsbStateBench(options, showProgress()) : await runYcsbBench(options, DEFAULT_HOST_CONFIG.tieredState.slabBytes, showProgress());
      if (ctx.json) return printJson(result);
      const store = result.baseline ? 'generic XOV (LevelDB)' : `disaggregated, remote memory ${formatSize(result.worldState.memoryBudgetBytes ?? 0)}, ${pipelineLabel(result)}`;
      const layer = opts.layer === 'state' ? ', state layer only' : '';
      console.log(`${style.bold(`ycsb-${result.workload}`)}  ${result.records} × ${formatSize(result.recordSize)}, zipf ${result.zipf}, ${result.clients} in flight, ${result.cnodes} cNodes, ${store}${layer}, ${(result.durationMs / 1000).toFixed(0)} s`);
      if (opts.layer === 'state') console.log(`  operations/s    ${style.bold(String(result.tps))}  (reads and committed updates)`);
      printLoop(result);
    });

  const kmeans = kmeansOptions(
    bench.command('kmeans').description('K-Means food distribution (paper §6): getFood clusters every profile inside the sandbox; compute-heavy, conflict-free'),
    '',
  )
    .option('--updates <p>', 'share of transactions that update a profile instead', num('--updates', (n) => n >= 0 && n <= 1, 'between 0 and 1'), 0)
    .option('--duration <time>', 'measuring time, e.g. 30s', '30s')
    .option('--in-flight <n>', 'transactions in flight: closed-loop clients with one transaction each', positiveInt('--in-flight'), 64)
    .option('--cnodes <n>', 'cNodes per peer', positiveInt('--cnodes'), 2)
    .option('--orgs <n>', 'organisations (one peer each); endorsement needs a majority', positiveInt('--orgs'), 1)
    .option('--seed <n>', 'seed of the workload generator', positiveInt('--seed'), 1)
    .option('--json', 'print the figures as JSON');
  pipelineOptions(kmeans).action(async (opts: { profiles: number; dimensions: number; clusters: number; epochs: number; updates: number; duration: string; inFlight: number; cnodes: number; orgs: number; seed: number; validation: 'sequential' | 'parallel'; validationThreads: number; sandboxProcesses: boolean; mnode?: string; clientsProcess?: boolean; json?: boolean }) => {
    ctx.json = Boolean(opts.json);
    if (opts.profiles < opts.clusters) throw new BenchArgumentError(`--profiles (${opts.profiles}) must be at least --clusters (${opts.clusters}).`);
    if (opts.mnode && opts.orgs !== 1) throw new BenchArgumentError('--mnode serves one peer; run it with --orgs 1.');
    const result = await runKmeansBench({ clientsProcess: Boolean(opts.clientsProcess), profiles: opts.profiles, dimensions: opts.dimensions, clusters: opts.clusters, epochs: opts.epochs, updates: opts.updates, durationMs: parseDuration(opts.duration), clients: opts.inFlight, cnodes: opts.cnodes, orgs: opts.orgs, seed: opts.seed, validation: opts.validation, validationThreads: opts.validationThreads, sandboxProcesses: opts.sandboxProcesses, ...(opts.mnode ? { mnode: opts.mnode } : {}) }, showProgress());
    if (ctx.json) return printJson(result);
    console.log(`${style.bold('kmeans')}  ${result.profiles} profiles × ${result.dimensions} features, ${result.clusters} clusters, ${result.epochs} epochs, updates ${result.updates}, ${result.clients} in flight, ${result.orgs} org(s) × ${result.cnodes} cNodes, ${pipelineLabel(result)}, ${(result.durationMs / 1000).toFixed(0)} s`);
    printLoop(result);
  });

  kmeansOptions(
    bench
      .command('execution')
      .description('execution alone: a contract simulated on 1, 2, … cNodes (each a sandbox process), with state in memory; no ordering, validation or signatures')
      .option('--contract <name>', 'smallbank or kmeans (getFood: compute-heavy)', 'kmeans')
      .option('--cnodes <list>', 'cNode counts to try, comma-separated', '1,2')
      .option('--duration <time>', 'measuring time per cNode count, e.g. 10s', '20s')
      .option('--in-flight <n>', 'simulations in flight at once per cNode', positiveInt('--in-flight'), 4)
      .option('--accounts <n>', 'smallbank: accounts', positiveInt('--accounts'), 10_000)
      .option('--pw <p>', 'smallbank: share of write transactions', num('--pw', (n) => n >= 0 && n <= 1, 'between 0 and 1'), 0.95),
    'kmeans: ',
  )
    .option('--no-sandbox-processes', 'run each cNode\'s isolates in this process instead of a sandbox process of its own')
    .option('--seed <n>', 'seed of the workload generator', positiveInt('--seed'), 1)
    .option('--json', 'print the figures as JSON')
    .action(async (opts: { contract: string; cnodes: string; duration: string; inFlight: number; accounts: number; pw: number; profiles: number; dimensions: number; clusters: number; epochs: number; sandboxProcesses: boolean; seed: number; json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      if (opts.contract !== 'smallbank' && opts.contract !== 'kmeans') throw new BenchArgumentError(`--contract must be smallbank or kmeans, got ${JSON.stringify(opts.contract)}.`);
      if (opts.contract === 'kmeans' && opts.profiles < opts.clusters) throw new BenchArgumentError(`--profiles (${opts.profiles}) must be at least --clusters (${opts.clusters}).`);
      const cnodes = opts.cnodes.split(',').map((c) => positiveInt('--cnodes')(c));
      const result = await runExecutionBench({ contract: opts.contract, cnodes, durationMs: parseDuration(opts.duration), inFlight: opts.inFlight, sandboxProcesses: opts.sandboxProcesses, seed: opts.seed, accounts: opts.accounts, pw: opts.pw, profiles: opts.profiles, dimensions: opts.dimensions, clusters: opts.clusters, epochs: opts.epochs }, showProgress());
      if (ctx.json) return printJson(result);
      const work = result.contract === 'kmeans' ? `kmeans getFood over ${result.profiles} profiles × ${result.dimensions} features, ${result.clusters} clusters, ${result.epochs} epochs` : `smallbank, ${result.accounts} accounts, Pw ${result.pw}`;
      console.log(`${style.bold('execution')}  ${work}, ${result.inFlight} in flight per cNode, sandboxes ${result.sandboxProcesses ? 'in a process per cNode' : 'in this process'}, ${(result.durationMs / 1000).toFixed(0)} s per run`);
      console.log(`  cNodes   tx/s simulated   per cNode   speed-up   CPU µs/tx${result.cpuIncludesChildren ? '   (in this process)' : ' (this process only)'}   failed`);
      for (const run of result.runs) {
        const here = result.cpuIncludesChildren ? `   ${`(${run.cpuMicrosPerTxHere})`.padStart(17)}` : '';
        console.log(`  ${String(run.cnodes).padStart(6)}   ${style.bold(String(run.txPerSecond).padStart(14))}   ${String(run.perCnodeTxPerSecond).padStart(9)}   ${(run.speedup.toFixed(2) + '×').padStart(8)}   ${String(run.cpuMicrosPerTx).padStart(9)}${here}   ${run.failed}`);
      }
    });

  bench
    .command('validation')
    .description('validation alone: pre-made blocks (no execution, no signatures) validated sequentially and with each number of parallel tasks')
    .option('--records <n>', 'preloaded records', positiveInt('--records'), 10_000)
    .option('--record-size <size>', 'bytes per record', '256B')
    .option('--blocks <n>', 'blocks validated per run', positiveInt('--blocks'), 40)
    .option('--txs <n>', 'transactions per block', positiveInt('--txs'), 500)
    .option('--reads <n>', 'most point reads per transaction', positiveInt('--reads'), 4)
    .option('--writes <n>', 'most writes per transaction', positiveInt('--writes'), 2)
    .option('--zipf <s>', 'Zipf exponent of key popularity; 0 is uniform', zipfOption, 0)
    .option('--tasks <list>', 'parallel validation task counts to try, comma-separated', '1,2,4,8,16,32,64')
    .option('--threads <list>', 'cNode thread counts to try in parallel mode, comma-separated (0: the primary cNode alone)', '0')
    .option('--world-state <kind>', 'disaggregated or leveldb', 'disaggregated')
    .option('--local-cache <size>', 'data cache of the validating cNode (disaggregated store)')
    .option('--mnode <host:port>', 'memory node process (`flexchain node --role mnode`); default in-process')
    .option('--seed <n>', 'seed of the block generator', positiveInt('--seed'), 1)
    .option('--json', 'print the figures as JSON')
    .action(async (opts: { records: number; recordSize: string; blocks: number; txs: number; reads: number; writes: number; zipf: number; tasks: string; threads: string; worldState: string; localCache?: string; mnode?: string; seed: number; json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      if (opts.worldState !== 'disaggregated' && opts.worldState !== 'leveldb') throw new BenchArgumentError(`--world-state must be disaggregated or leveldb, got ${JSON.stringify(opts.worldState)}.`);
      const tasks = opts.tasks.split(',').map((t) => positiveInt('--tasks')(t));
      const threads = opts.threads.split(',').map(countOption('--threads'));
      if (opts.worldState === 'leveldb' && threads.some((t) => t > 0)) throw new BenchArgumentError('--threads above 0 needs --world-state disaggregated: cNode threads read the tiered store.');
      const result = await runValidationBench(
        { records: opts.records, recordSize: parseSize(opts.recordSize, '--record-size'), blocks: opts.blocks, txsPerBlock: opts.txs, readsPerTx: opts.reads, writesPerTx: opts.writes, zipf: opts.zipf, tasks, threads, worldState: opts.worldState, seed: opts.seed, ...(opts.mnode ? { mnode: opts.mnode } : {}), ...(opts.localCache ? { localCacheBytes: parseSize(opts.localCache, '--local-cache') } : {}) },
        showProgress(),
      );
      if (ctx.json) return printJson(result);
      const where = result.worldState === 'leveldb' ? 'LevelDB world state' : `disaggregated, memory ${result.mnode ? `node at ${result.mnode} (TCP)` : 'in process'}${result.localCacheBytes === undefined ? '' : `, local cache ${formatSize(result.localCacheBytes)}`}`;
      console.log(`${style.bold('validation')}  ${result.blocks} blocks × ${result.txsPerBlock} txs, ≤${result.readsPerTx} reads ≤${result.writesPerTx} writes, ${result.records} × ${formatSize(result.recordSize)}, zipf ${result.zipf}, ${where}`);
      console.log('  mode         tasks   threads   tx/s validated   speed-up   valid');
      for (const run of result.runs) {
        console.log(`  ${run.mode.padEnd(12)} ${String(run.tasks).padStart(5)}   ${String(run.threads).padStart(7)}   ${style.bold(String(run.txPerSecond).padStart(14))}   ${(run.speedup.toFixed(2) + '×').padStart(8)}   ${(run.validShare * 100).toFixed(1)}%`);
      }
    });
}
