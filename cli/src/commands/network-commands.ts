// flexchain up, status, events.

import type { Command } from 'commander';
import { utf8Decode, type LogLevel } from '@flexchain/sdk';
import { readHitRatio, type NetworkStatus } from '@flexchain/sdk/protocol';
import { DEFAULT_HOST_CONFIG, DEFAULT_PORT, EmbeddedNetwork, guardProcess, MemoryNode, MemoryNodeServer } from '@flexchain/host';
import { FlexChainError } from '@flexchain/sdk';
import { printJson, style } from '../output';
import { countOption, wholeNumberOption } from '../ui/options';
import { formatSize } from '../ui/sizes';
import type { CommandContext } from './command-context';
import { tieredSizesOf, tieredStateFor } from './tiered-options';
import { connectCli, dataDirOf, type NetworkFlags } from './network-context';

/** Default port of a memory node process. */
const DEFAULT_MNODE_PORT = 7060;
/** Exit status of `up` when a peer halted: non-zero, so a supervisor restarts the node. */
const PEER_HALTED_EXIT_CODE = 3;
/** How long a halted node waits for its network to close before it exits anyway, in ms. */
const HALT_STOP_WAIT_MS = 5000;

export class NetworkConfigError extends FlexChainError {
  override name = 'NetworkConfigError';
}

const LEVEL_STYLE: Record<LogLevel, (s: string) => string> = { debug: style.dim, info: (s) => s, warn: style.yellow, error: style.red };

function nodeLog(verbose: boolean) {
  return (level: LogLevel, message: string) => {
    if (level === 'debug' && !verbose) return;
    process.stderr.write(`${style.dim(new Date().toISOString().slice(11, 23))} ${LEVEL_STYLE[level](level.padEnd(5))} ${message}\n`);
  };
}

const int = wholeNumberOption;

export function registerNetworkCommands(program: Command, ctx: CommandContext): void {
  program
    .command('up')
    .description('run a whole network (orderer, peers, cNodes, gateway) in this process')
    .option('--orgs <n>', 'organisations, one peer each (fixed once the data directory exists)', int('--orgs'))
    .option('--cnodes <n>', 'cNodes per peer', int('--cnodes'))
    .option('--data <dir>', 'data directory (default ./.flexchain)')
    .option('--port <port>', 'gRPC port (0 picks a free one)', int('--port'), DEFAULT_PORT)
    .option('--world-state <kind>', 'disaggregated (cNode caches, remote memory, LevelDB) or leveldb (generic XOV)', 'disaggregated')
    .option('--remote-memory <size>', 'remote memory budget per peer, e.g. 64MiB')
    .option('--local-cache <size>', 'data cache per cNode, e.g. 8MiB')
    .option('--evict-below <size>', 'start evicting when free remote memory falls below this (default: an eighth of the budget)')
    .option('--mnode <host:port,...>', 'memory node process of each organisation (see `flexchain node --role mnode`); default in-process')
    .option('--validation <mode>', 'parallel (by the dependency graph) or sequential V2/V3', 'parallel')
    .option('--validation-threads <n>', 'cNode worker threads per peer that take V2 tasks in parallel mode (0: the primary alone)', countOption('--validation-threads'), 0)
    .option('--no-trust-orderer-graphs', "parallel peers build each block's dependency graph themselves instead of following the orderer's")
    .option('--no-sandbox-processes', 'run contract isolates in this process instead of one sandbox process per cNode (faster; a V8 abort in a contract then takes the node down)')
    .option('--verbose', 'also print debug logs (e.g. why a transaction was invalid)')
    .option('--json', 'print the ready line as JSON')
    .action(async (opts: NetworkFlags & { sandboxProcesses: boolean; orgs?: number; cnodes?: number; port: number; verbose?: boolean; json?: boolean; worldState: string; remoteMemory?: string; localCache?: string; evictBelow?: string; mnode?: string; validation: string; validationThreads: number; trustOrdererGraphs: boolean }) => {
      ctx.json = Boolean(opts.json);
      const dataDir = dataDirOf(opts);
      let started: EmbeddedNetwork | undefined;
      const onPeerHalted = (_mspId: string, error: Error) => {
        console.error(`${style.red('✖')} ${error.message}`);
        const stopped = started ? started.stop().catch(() => undefined) : Promise.resolve();
        void Promise.race([stopped, new Promise((r) => setTimeout(r, HALT_STOP_WAIT_MS).unref())]).finally(() => process.exit(PEER_HALTED_EXIT_CODE));
      };
      const network = (started = await EmbeddedNetwork.start({
        dataDir,
        ...(opts.orgs === undefined ? {} : { orgs: opts.orgs }),
        ...(opts.cnodes === undefined ? {} : { cnodes: opts.cnodes }),
        port: opts.port,
        log: nodeLog(Boolean(opts.verbose)),
        // Both strings are checked by resolveHostConfig, whose error names the allowed values.
        config: { worldState: opts.worldState as never, validation: opts.validation as never, validationThreads: opts.validationThreads, trustOrdererGraphs: opts.trustOrdererGraphs, sandboxProcesses: opts.sandboxProcesses, tieredState: tieredOverrides(opts) },
        ...(opts.mnode ? { mnodes: opts.mnode.split(',') } : {}),
        onPeerHalted,
      }));
      const ready = { endpoint: network.endpoint, channelId: network.manifest.channelId, orgs: network.membership.organisations, cnodes: network.manifest.cnodes, validation: network.config.validation, validationThreads: network.config.validationThreads, trustOrdererGraphs: network.config.trustOrdererGraphs, dataDir, height: network.peers[0]!.height };
      if (ctx.json) printJson(ready);
      else {
        console.log(`${style.green('✔')} FlexChain network up`);
        console.log(`  endpoint  ${style.bold(ready.endpoint)}`);
        console.log(`  channel   ${ready.channelId}`);
        console.log(`  orgs      ${ready.orgs.map((o) => `${o} (${ready.cnodes} cNodes)`).join(', ')}, ${ready.validation} validation${ready.validationThreads > 0 ? ` (+${ready.validationThreads} cNode threads)` : ''}${ready.validation === 'parallel' && !ready.trustOrdererGraphs ? ', dependency graphs built by each peer' : ''}`);
        console.log(`  data      ${dataDir}`);
        console.log(`  height    ${ready.height}`);
        console.log(style.dim('Press Ctrl-C to stop.'));
      }
      await untilStopped(async () => {
        if (!ctx.json) console.log('\nStopping…');
        await network.stop();
      });
    });

  program
    .command('node')
    .description('run one role of a network in this process (today: the memory node)')
    .requiredOption('--role <role>', 'mnode: a remote memory pool for one peer')
    .option('--port <port>', 'TCP port (0 picks a free one)', int('--port'), DEFAULT_MNODE_PORT)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--remote-memory <size>', 'memory budget of the pool, e.g. 64MiB')
    .option('--json', 'print the ready line as JSON')
    .action(async (opts: { role: string; port: number; host: string; remoteMemory?: string; json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      if (opts.role !== 'mnode') throw new NetworkConfigError(`--role ${opts.role} is not available; this version runs --role mnode.`, { hint: 'Run the other roles together with `flexchain up`.' });
      const limits = { ...DEFAULT_HOST_CONFIG.tieredState, ...tieredOverrides(opts) };
      guardProcess(nodeLog(false));
      const server = new MemoryNodeServer(new MemoryNode(limits));
      const port = await server.listen(opts.port, opts.host);
      const ready = { role: 'mnode', endpoint: `${opts.host}:${port}`, budgetBytes: limits.memoryBudgetBytes, slabBytes: limits.slabBytes };
      if (ctx.json) printJson(ready);
      else console.log(`${style.green('✔')} memory node at ${style.bold(ready.endpoint)}, budget ${formatSize(ready.budgetBytes)} in ${formatSize(ready.slabBytes)} slabs. Ctrl-C stops it.`);
      await untilStopped(() => server.close());
    });

  program
    .command('status')
    .description('height, contracts, cNodes and throughput of a running network')
    .option('--data <dir>', 'network data directory (default ./.flexchain)')
    .option('--endpoint <host:port>', 'gateway endpoint')
    .option('--json', 'print the status as JSON')
    .action(async (opts: NetworkFlags & { json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      const client = connectCli(opts);
      try {
        const status = await client.status();
        if (ctx.json) printJson(status);
        else printStatus(status);
      } finally {
        client.close();
      }
    });

  program
    .command('events')
    .description("stream a contract's events from committed transactions (Ctrl-C to stop)")
    .argument('<contract>', 'contract name')
    .option('--data <dir>', 'network data directory (default ./.flexchain)')
    .option('--endpoint <host:port>', 'gateway endpoint')
    .option('--as <mspId/id>', 'identity', 'Org1MSP/client')
    .option('--json', 'print one JSON object per event')
    .action(async (contract: string, opts: NetworkFlags & { json?: boolean }) => {
      ctx.json = Boolean(opts.json);
      const client = connectCli(opts);
      if (!ctx.json) console.error(style.dim(`Listening for ${contract} events; Ctrl-C to stop.`));
      const unsubscribe = client.events(contract, (event) => {
        const payload = utf8Decode(event.payload);
        if (ctx.json) process.stdout.write(JSON.stringify({ ...event, payload }) + '\n');
        else console.log(`${style.dim(`block ${event.blockNum} tx ${event.txId.slice(0, 12)}`)} ${style.bold(event.name)} ${payload}`);
      });
      await new Promise<void>((resolveStop) => process.once('SIGINT', () => resolveStop()));
      unsubscribe();
      client.close();
    });
}

/** Resolves once Ctrl-C (SIGINT) or SIGTERM has arrived and `stop` has finished. */
function untilStopped(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolveStop) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stop().then(resolveStop, resolveStop);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

/** Remote memory, local cache and eviction flags as tiered-store limits. */
function tieredOverrides(opts: { remoteMemory?: string; localCache?: string; evictBelow?: string }) {
  return tieredStateFor(tieredSizesOf(opts), DEFAULT_HOST_CONFIG.tieredState.slabBytes);
}

function printStatus(s: NetworkStatus): void {
  console.log(`${style.bold('channel')}   ${s.channelId}   ${style.bold('height')} ${s.height} (orderer ${s.ordererHeight})   ${style.bold('uptime')} ${(s.uptimeMs / 1000).toFixed(0)} s   ${style.bold('tps since start')} ${s.tpsSinceStart.toFixed(1)}`);
  console.log(style.bold('contracts'));
  if (s.contracts.length === 0) console.log(style.dim('  none deployed'));
  for (const c of s.contracts) console.log(`  ${c.name} ${c.version} (sequence ${c.sequence}, package ${c.packageId.slice(0, 12)})  policy ${c.policy}`);
  console.log(style.bold('peers'));
  for (const p of s.peers) {
    console.log(`  ${p.mspId}  height ${p.height}  valid ${p.committedValid}  invalid ${p.committedInvalid}${p.stateDigest ? `  state digest ${p.stateDigest.slice(0, 16)}…` : ''}`);
    if (p.halted) console.log(`    ${style.red('HALTED')}  ${p.halted}`);
    const w = p.worldState;
    if (w.kind === 'disaggregated') {
      console.log(
        `    world state  remote memory ${formatSize(w.memoryUsedBytes ?? 0)} / ${formatSize(w.memoryBudgetBytes ?? 0)}  cache hit ${((w.cacheHitRatio ?? 0) * 100).toFixed(1)}%  ` +
          `reads from storage ${((w.storageReadShare ?? 0) * 100).toFixed(1)}%  evicted ${w.evictedKeys ?? 0}  savepoint ${w.savepoint ?? -1}`,
      );
      if (w.memoryNodeLost) console.log(`    ${style.yellow('memory node lost')}  ${w.memoryNodeLost}`);
    } else console.log(`    world state  LevelDB (generic XOV)`);
    const v = p.validation;
    const perBlock = (ms: number) => (v.blocks === 0 ? '0' : (ms / v.blocks).toFixed(1));
    const threads = v.checksOnThreads === undefined ? '' : `  V2 checks on threads ${v.checksOnThreads}, on the primary ${v.checksOnPrimary ?? 0}`;
    console.log(
      `    validation   ${v.mode}  ms per block: V1 ${perBlock(v.v1Ms)}  V2/V3 ${perBlock(v.mvccMs)}  write ${perBlock(v.writeMs)}  (${v.blocks} blocks)` +
        `${v.graphsBuiltLocally > 0 ? `  graphs built here ${v.graphsBuiltLocally}` : ''}${threads}`,
    );
    for (const c of p.cnodes) {
      const batches = c.endorsementRoots > 0 ? `  endorsed ${c.endorsed} under ${c.endorsementRoots} signatures` : '';
      const reads = readHitRatio(c.sandboxReads);
      const cached = reads === undefined ? '' : `  sandbox read cache hit ${(reads * 100).toFixed(1)}%`;
      console.log(style.dim(`    ${c.name}  in flight ${c.inFlight}  simulated ${c.simulated}  sandbox rebuilds ${c.sandboxRebuilds}${cached}${batches}`));
    }
  }
}
