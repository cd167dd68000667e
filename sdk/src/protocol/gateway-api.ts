// The gateway's operations, independent of transport. The host implements it;
// the gRPC client and the in-process transport expose it to the client library.

import type { ContractMetadata } from '../definition';
import type { TxValidationCodeName } from '../validation-code';
import type { Endorsement, Signed } from './messages';

export interface EvaluateResult {
  /** Canonical JSON of the return value; empty when nothing was returned. */
  readonly payload: Uint8Array;
}

export interface EndorseResult {
  /** The response bytes every endorser signed. */
  readonly response: Uint8Array;
  readonly endorsements: readonly Endorsement[];
}

export interface SessionResult {
  /** Sent with each proposal instead of a signature. */
  readonly session: string;
  /** When the gateway forgets it; the client opens another. */
  readonly expiresAtMs: number;
}

export interface CommitStatus {
  readonly txId: string;
  readonly code: TxValidationCodeName;
  readonly blockNum: number;
  readonly txNum: number;
}

export interface ContractEvent {
  readonly contract: string;
  readonly name: string;
  readonly payload: Uint8Array;
  readonly txId: string;
  readonly blockNum: number;
}

export interface InstallResult {
  readonly packageId: string;
  readonly name: string;
}

export interface DeployedContractStatus {
  readonly name: string;
  readonly version: string;
  readonly sequence: number;
  readonly packageId: string;
  readonly policy: string;
  readonly metadata?: ContractMetadata;
}

/** Share of reads a cache answered, or undefined before any read. */
export function readHitRatio(reads: { readonly hits: number; readonly misses: number } | undefined): number | undefined {
  const total = reads ? reads.hits + reads.misses : 0;
  return total === 0 ? undefined : reads!.hits / total;
}

export interface PeerStatus {
  readonly mspId: string;
  readonly height: number;
  readonly committedValid: number;
  readonly committedInvalid: number;
  readonly tpsSinceStart: number;
  /** Digest of the whole world state at `height` (64 hex digits): peers at the same height agree on it. Absent from older nodes. */
  readonly stateDigest?: string;
  /** Why the peer stopped committing, when it did: it serves nothing until restarted. */
  readonly halted?: string;
  readonly cnodes: readonly {
    readonly name: string;
    readonly inFlight: number;
    readonly simulated: number;
    readonly sandboxRebuilds: number;
    /** Point reads its sandbox process's read cache answered (hits) and sent on to the cNode (misses); absent from older nodes. */
    readonly sandboxReads?: { readonly hits: number; readonly misses: number };
    /** Responses endorsed, and the Merkle roots signed for them: their ratio is the mean endorsement batch. */
    readonly endorsed: number;
    readonly endorsementRoots: number;
  }[];
  readonly worldState: {
    readonly kind: string;
    /** Share of cNode data-cache lookups that hit (disaggregated only). */
    readonly cacheHitRatio?: number;
    readonly memoryUsedBytes?: number;
    readonly memoryBudgetBytes?: number;
    readonly evictedKeys?: number;
    /** Share of reads served by storage rather than remote memory. */
    readonly storageReadShare?: number;
    /** Last block materialised to storage. */
    readonly savepoint?: number;
    /** Set once the peer gave up on its remote memory node: why, and what it serves from instead. */
    readonly memoryNodeLost?: string;
  };
  readonly validation: ValidationStatus;
}

/** Where a peer's commit time goes, since it started: to judge whether validation is its bottleneck. */
export interface ValidationStatus {
  readonly mode: 'sequential' | 'parallel';
  readonly blocks: number;
  /** Time in V1 (signatures and endorsement policy), in ms. */
  readonly v1Ms: number;
  /** Time in V2 and V3 (MVCC checks and staging writes, by the graph in parallel mode), in ms. */
  readonly mvccMs: number;
  /** Time writing blocks and state to the ledger and world state, in ms. */
  readonly writeMs: number;
  /** Blocks validated by a graph this peer built: the orderer's was missing, malformed or not trusted. */
  readonly graphsBuiltLocally: number;
  /** V2 checks run on cNode threads, and on the primary cNode, when the peer has threads. */
  readonly checksOnThreads?: number;
  readonly checksOnPrimary?: number;
}

export interface NetworkStatus {
  readonly channelId: string;
  readonly height: number;
  readonly ordererHeight: number;
  readonly organisations: readonly string[];
  readonly contracts: readonly DeployedContractStatus[];
  readonly peers: readonly PeerStatus[];
  readonly uptimeMs: number;
  readonly tpsSinceStart: number;
}

export interface GatewayApi {
  /** Authenticates a client once: a signed SessionHello; proposals then carry the session instead of a signature. */
  openSession(hello: Signed): Promise<SessionResult>;
  /** Simulates a signed proposal on one cNode and returns the result; nothing is ordered. */
  evaluate(proposal: Signed): Promise<EvaluateResult>;
  /** Gathers endorsements satisfying the contract's policy. */
  endorse(proposal: Signed): Promise<EndorseResult>;
  /** Orders a client-signed transaction and resolves when the client's peer has committed it. */
  submit(transaction: Signed): Promise<CommitStatus>;
  /** Streams events of valid transactions of one contract; returns an unsubscribe function. */
  events(contract: string, listener: (event: ContractEvent) => void): () => void;
  status(): Promise<NetworkStatus>;
  /** Installs a package (its JSON, signed by an organisation admin) on the peers. */
  install(signedPackage: Signed): Promise<InstallResult>;
}
