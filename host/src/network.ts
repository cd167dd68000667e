// The embedded network: every role in one process (DESIGN.md §8).
//
// <data>/network.json        topology and endpoint
// <data>/msp/<mspId>/*.json  identities (created on first start)
// <data>/orderer/            the solo orderer's log (LevelDB)
// <data>/peers/<mspId>/      each peer's ledger and state (LevelDB)
//
// Starting on an existing data directory recovers: each peer reopens its
// ledger and the orderer delivers the blocks the peer has not committed yet.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlexChainError, type LogLevel } from '@flexchain/sdk';
import { resolveHostConfig, type HostConfig, type HostConfigOverrides } from './config';
import { Gateway } from './gateway';
import { createOrganisations, loadSigningIdentity, Membership, mspIdOf } from './identity/msp';
import { GrpcGatewayServer } from './net/grpc-server';
import { SoloOrderer } from './order/solo-orderer';
import { Peer } from './peer/peer';
import { guardProcess } from './process-guard';
import { TcpMemoryClient } from './state/transport/tcp-memory-client';

export const DEFAULT_CHANNEL_ID = 'flexchain';
export const DEFAULT_PORT = 7051;

export interface NetworkOptions {
  readonly dataDir: string;
  /** Organisations, each with one logical peer. Fixed when the data directory is created. */
  readonly orgs?: number;
  /** cNodes per peer. */
  readonly cnodes?: number;
  /** gRPC port; 0 picks a free one. Omit `port` and `grpc: false` to run without gRPC. */
  readonly port?: number;
  readonly host?: string;
  readonly grpc?: boolean;
  readonly config?: HostConfigOverrides;
  /** host:port of each organisation's memory node process, in org order; omit for in-process pools. */
  readonly mnodes?: readonly string[];
  readonly log?: (level: LogLevel, message: string) => void;
  /** A peer halted (PeerHaltedError says why); a process running the network should exit non-zero. */
  readonly onPeerHalted?: (mspId: string, error: Error) => void;
}

export interface NetworkManifest {
  readonly channelId: string;
  readonly orgs: number;
  readonly cnodes: number;
  readonly endpoint: string;
}

export class NetworkConfigError extends FlexChainError {
  override name = 'NetworkConfigError';
}

export class EmbeddedNetwork {
  readonly gateway: Gateway;
  readonly config: HostConfig;
  private server: GrpcGatewayServer | undefined;
  private readonly unsubscribes: (() => void)[] = [];
  /** Removes the process guard this network installed. */
  private unguard: () => void = () => undefined;
  endpoint = '';

  private constructor(
    readonly dataDir: string,
    readonly manifest: Omit<NetworkManifest, 'endpoint'>,
    readonly peers: Peer[],
    readonly orderer: SoloOrderer,
    readonly membership: Membership,
    config: HostConfig,
    private readonly log: (level: LogLevel, message: string) => void,
  ) {
    this.config = config;
    this.gateway = new Gateway(peers, orderer, membership, config, manifest.channelId);
  }

  static async start(options: NetworkOptions): Promise<EmbeddedNetwork> {
    const dataDir = resolve(options.dataDir);
    const log = options.log ?? (() => undefined);
    const config = resolveHostConfig(options.config);
    const manifestFile = join(dataDir, 'network.json');
    const previous = existsSync(manifestFile) ? (JSON.parse(readFileSync(manifestFile, 'utf8')) as NetworkManifest) : undefined;
    if (previous && options.orgs !== undefined && options.orgs !== previous.orgs) {
      throw new NetworkConfigError(`${dataDir} holds a network of ${previous.orgs} organisation(s); it cannot be restarted with ${options.orgs}.`, { hint: 'Leave out --orgs, or use a new --data directory.' });
    }
    const orgs = previous?.orgs ?? options.orgs ?? 1;
    const cnodes = options.cnodes ?? previous?.cnodes ?? 2;
    if (!Number.isSafeInteger(orgs) || orgs < 1 || orgs > 16) throw new NetworkConfigError(`--orgs must be 1 to 16, got ${orgs}.`);
    if (!Number.isSafeInteger(cnodes) || cnodes < 1 || cnodes > 64) throw new NetworkConfigError(`--cnodes must be 1 to 64, got ${cnodes}.`);
    if (options.mnodes && options.mnodes.length !== orgs) {
      throw new NetworkConfigError(`Give one memory node per organisation: ${orgs} needed, ${options.mnodes.length} given.`, { hint: 'Pass --mnode host:port,host:port,… in organisation order.' });
    }
    const channelId = previous?.channelId ?? DEFAULT_CHANNEL_ID;

    mkdirSync(dataDir, { recursive: true });
    const mspDir = join(dataDir, 'msp');
    createOrganisations(mspDir, orgs);
    const membership = Membership.load(mspDir);
    const orderer = new SoloOrderer({ location: join(dataDir, 'orderer'), limits: config, dependencyGraphs: config.orderDependencyGraphs });
    await orderer.open();
    const created = Array.from({ length: orgs }, (_, i) => {
      const mspId = mspIdOf(i + 1);
      const mnode = options.mnodes?.[i];
      const connectMemory = mnode === undefined ? undefined : () => TcpMemoryClient.connect(...parseEndpoint(mnode), config.memoryRequestTimeoutMs);
      return new Peer({ mspId, location: join(dataDir, 'peers', mspId), channelId, identity: loadSigningIdentity(mspDir, mspId, 'peer0'), membership, cnodeCount: cnodes, config, log, ...(connectMemory ? { connectMemory } : {}) });
    });
    const opened = await Promise.allSettled(created.map((peer) => peer.open()));
    const refused = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (refused) {
      // A peer that refuses to open (damaged ledger, say) must not leave the others, or their locks, behind.
      await Promise.allSettled(created.map((peer) => peer.close()));
      await orderer.close().catch(() => undefined);
      throw refused.reason;
    }
    const peers = created;
    const network = new EmbeddedNetwork(dataDir, { channelId, orgs, cnodes }, peers, orderer, membership, config, log);
    network.unguard = guardProcess(log);
    for (const peer of peers) {
      const from = peer.height;
      peer.onHalt((err) => options.onPeerHalted?.(peer.mspId, err));
      network.unsubscribes.push(
        orderer.deliver(
          from,
          (block) => peer.commitBlock(block),
          (err, blockNum) => {
            if (!peer.halted) log('error', `${peer.mspId} stopped taking blocks at ${blockNum}: ${err instanceof Error ? err.message : String(err)}`);
          },
        ),
      );
      if (from > 0) log('info', `${peer.mspId} recovered at height ${from}; catching up to ${orderer.height}`);
    }
    if (options.grpc !== false && options.port !== undefined) {
      network.server = new GrpcGatewayServer(network.gateway, { host: options.host ?? '127.0.0.1', port: options.port, messageBytesMax: config.grpcMessageBytesMax, streamCallsInFlightMax: config.grpcStreamCallsInFlightMax, log });
      const port = await network.server.start();
      network.endpoint = `${options.host ?? '127.0.0.1'}:${port}`;
    }
    writeFileSync(manifestFile, JSON.stringify({ channelId, orgs, cnodes, endpoint: network.endpoint } satisfies NetworkManifest, null, 2) + '\n');
    return network;
  }

  /** Waits until every peer has committed every block cut so far. */
  async settle(): Promise<void> {
    await this.orderer.cutNow();
    while (this.peers.some((p) => p.height < this.orderer.height)) await new Promise((r) => setTimeout(r, 5));
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    await this.orderer.close();
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    await Promise.all(this.peers.map((p) => p.close()));
    this.unguard();
    this.log('info', 'network stopped');
  }
}

export function parseEndpoint(endpoint: string): [string, number] {
  const m = /^(.+):(\d+)$/.exec(endpoint.trim());
  if (!m) throw new NetworkConfigError(`${JSON.stringify(endpoint)} is not host:port.`, { hint: 'Write e.g. 127.0.0.1:7060.' });
  return [m[1]!, Number(m[2])];
}

export function readManifest(dataDir: string): NetworkManifest | undefined {
  const file = join(resolve(dataDir), 'network.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as NetworkManifest) : undefined;
}
