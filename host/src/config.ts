// Host configuration: every bound the network enforces, with its unit last.
// Relations between limits are checked once, when the config is resolved.

import { ConfigInvalidError, DEFAULT_STUB_LIMITS, type StubLimits } from '@flexchain/sdk';
import { MERKLE_PATH_LENGTH_MAX } from '@flexchain/sdk/protocol';
import type { WorldStateKind } from './state/peer-world-state';
import type { ValidationMode } from './validate/block-validation';
import { DEFAULT_TIERED_STATE_LIMITS, type TieredStateLimits } from './state/tiered-world-state';

export interface HostConfig {
  /** Stub limits every contract runs under (key and value sizes, events, page size). */
  readonly stub: StubLimits;
  /** Heap limit of one contract isolate, in MiB. isolated-vm's minimum is 8. */
  readonly isolateMemoryMb: number;
  /** CPU time one transaction may spend in synchronous contract code, in ms. */
  readonly txCpuTimeMs: number;
  /** Wall time one simulation may take including state reads, in ms; past it the isolate is rebuilt. */
  readonly txWallTimeMs: number;
  /** Most keys one transaction may read or write (reads + writes + range entries). */
  readonly rwSetKeysMax: number;
  /** Largest encoded rw-set, in bytes. */
  readonly rwSetBytesMax: number;
  /** Most range queries (including partial composite-key queries) one transaction may run. */
  readonly rangeQueriesMax: number;
  /** Largest return value of one transaction, in bytes of canonical JSON. */
  readonly responsePayloadBytesMax: number;
  /** Largest signed proposal (function name, arguments, creator), in bytes; larger ones are refused before they run. */
  readonly proposalBytesMax: number;
  /** Log output one transaction may send to the host log, in bytes; later lines are dropped with one notice. */
  readonly txLogBytesMax: number;
  /** State reads and range pages one simulation may ask of the host. */
  readonly txStateCallsMax: number;
  /** Frames of a contract error's stack that are source-mapped and reported; the rest are cut. */
  readonly errorStackFramesMax: number;
  /** Isolates per contract per cNode; each runs on its own thread. */
  readonly cnodeWorkers: number;
  /** How long a client session lasts, in ms. */
  readonly sessionTtlMs: number;
  /** Most client sessions a gateway keeps; the oldest go first. */
  readonly sessionsMax: number;
  /** How far a session hello's time may be from the gateway's, in ms. */
  readonly sessionClockSkewMs: number;
  /** How far a proposal's timestamp (the contract's Date.now()) may be from an endorser's or the gateway's clock, in ms. */
  readonly proposalClockSkewMs: number;
  /** Most responses a cNode endorses under one signed Merkle root (those of one event-loop turn). */
  readonly endorsementBatchMax: number;
  /** Signatures a peer remembers as verified (its own endorsements among them), so each is checked once; ~200 bytes each. */
  readonly verifiedSignaturesMax: number;
  /**
   * Worker threads per peer that verify a block's signatures while the blocks before it commit, so V1
   * on the main thread need not; 0 verifies them in V1 itself.
   */
  readonly signatureVerifyThreads: number;
  /** How long V1 waits for a block's signature threads once the block is next to commit, in ms; past it V1 verifies what they have not answered. */
  readonly signatureVerifyWaitMs: number;
  /**
   * Whether each cNode runs its isolates in a sandbox process of its own. V8 can abort the whole
   * process on an isolate's heap (isolated-vm's memoryLimit is soft), so only a process keeps that to one cNode.
   */
  readonly sandboxProcesses: boolean;
  /**
   * Committed state a sandbox process keeps of what its transactions read, in bytes (keys,
   * values and ~100 bytes of bookkeeping each). The cNode invalidates it with every block it commits.
   */
  readonly sandboxReadCacheBytesMax: number;
  /** Transactions one isolate interleaves at once (each holds its own contract module instance); more wait. */
  readonly isolateConcurrencyMax: number;
  /** Most transactions in one block. */
  readonly blockTxCountMax: number;
  /** Largest block, in bytes of transaction envelopes. */
  readonly blockBytesMax: number;
  /** A non-empty block is cut at most this long after its first transaction arrived, in ms. */
  readonly blockTimeoutMs: number;
  /** How long a submitter waits for its transaction to commit, in ms. */
  readonly commitWaitMs: number;
  /** Whether a peer recomputes its state digest from storage when it opens, and refuses to serve on a mismatch (costs one scan of the state). */
  readonly stateDigestCheckOnOpen: boolean;
  /** Attempts to commit one block through transient faults (a storage error, say) before the peer halts. */
  readonly commitAttemptsMax: number;
  /** Wait before the first retry of a block that failed to commit, in ms; it doubles with each attempt. */
  readonly commitRetryDelayMs: number;
  /** Largest gRPC message, in bytes (contract packages travel in one). */
  readonly grpcMessageBytesMax: number;
  /** Calls one client stream may have in flight at the gateway; past it a call is refused at once. */
  readonly grpcStreamCallsInFlightMax: number;
  /** State entries fetched per host call while a contract iterates a range. */
  readonly rangeBatchEntries: number;
  /** Where world state lives: the disaggregated tiered store, or LevelDB alone (the paper's generic XOV). */
  readonly worldState: WorldStateKind;
  /** Bounds of the tiered store: local caches, remote memory budget, slabs, eviction, GC. */
  readonly tieredState: TieredStateLimits;
  /** LevelDB block cache of each peer's ledger and state, in bytes. */
  readonly leveldbCacheBytes: number;
  /** Wait between attempts to reach a lost memory node, in ms. */
  readonly memoryReconnectIntervalMs: number;
  /** Attempts to reach a lost memory node before the peer gives it up and serves from storage and an in-process pool. */
  readonly memoryReconnectAttemptsMax: number;
  /** How long a request to a remote memory node may wait for its reply before the node counts as lost, in ms. */
  readonly memoryRequestTimeoutMs: number;
  /** How the primary cNode runs V2/V3: in block order, or by the dependency graph (paper §5.2). */
  readonly validation: ValidationMode;
  /** Transactions of one block validated at once in parallel mode (async tasks overlapping state reads). */
  readonly validationTasksMax: number;
  /** cNode worker threads per peer that take V2 tasks in parallel mode, besides the primary; 0 keeps validation on the primary. Needs the disaggregated world state. */
  readonly validationThreads: number;
  /** Whether the orderer ships a dependency graph with each block; without one, parallel peers build it. */
  readonly orderDependencyGraphs: boolean;
  /**
   * Whether a peer in parallel mode follows the graph the orderer ships (covered by the block hash).
   * false: it builds every block's graph from the rw-sets itself (about 1.5 ms per 500 transactions),
   * so an ordering service that computes a wrong graph cannot make it commit another result than sequential validation.
   */
  readonly trustOrdererGraphs: boolean;
}

export const DEFAULT_HOST_CONFIG: HostConfig = Object.freeze({
  stub: DEFAULT_STUB_LIMITS,
  isolateMemoryMb: 128,
  txCpuTimeMs: 1000,
  txWallTimeMs: 5000,
  rwSetKeysMax: 10_000,
  rwSetBytesMax: 16 * 1024 * 1024,
  // Each range query is re-scanned in V2 and indexed by the orderer's graph builder; real contracts run a handful.
  rangeQueriesMax: 1000,
  responsePayloadBytesMax: 1024 * 1024,
  // Room for one value of stub.valueBytesMax as a base64 argument, with margin.
  proposalBytesMax: 2 * 1024 * 1024,
  txLogBytesMax: 64 * 1024,
  // Twice rwSetKeysMax: every key a transaction may record, plus the pages of its ranges.
  txStateCallsMax: 20_000,
  errorStackFramesMax: 50,
  cnodeWorkers: 1,
  // An hour: a client signs one hello an hour instead of every proposal.
  sessionTtlMs: 3_600_000,
  // ~100 bytes each; a client keeps one per connection.
  sessionsMax: 100_000,
  // Tolerates ordinary clock drift while keeping a captured hello useless after a few minutes.
  sessionClockSkewMs: 300_000,
  // Ordinary drift and a slow endorsement round, not a transaction dated another day.
  proposalClockSkewMs: 300_000,
  // A turn rarely holds more at 10k tps; each proof adds log2(batch) hashes (32 bytes each) to a transaction.
  endorsementBatchMax: 64,
  // Covers the endorsements of many blocks in flight at 10k tps (a few MiB), so V1 finds every one of its own.
  verifiedSignaturesMax: 65_536,
  // One thread verifies ~20,000 signatures a second: a creator's per transaction, and one per batch of other peers'.
  signatureVerifyThreads: 1,
  // A block's checks take ~10 ms on one thread; a thread that has not answered in a second is stuck, and V1 does the work.
  signatureVerifyWaitMs: 1000,
  sandboxProcesses: true,
  // Holds ~100k small records: the hot set of the benchmarks, and a fraction of an isolate's own memory.
  sandboxReadCacheBytesMax: 16 * 1024 * 1024,
  // Enough to overlap state reads; each in-flight transaction holds its own instance of the contract module.
  isolateConcurrencyMax: 16,
  // 500 transactions or 2 MiB keeps validation batches large without making a block wait long at 5k tps.
  blockTxCountMax: 500,
  blockBytesMax: 2 * 1024 * 1024,
  blockTimeoutMs: 50,
  commitWaitMs: 30_000,
  // 100 ms doubling over 6 attempts: ~3 s of faults ridden out, well inside commitWaitMs.
  commitAttemptsMax: 6,
  stateDigestCheckOnOpen: true,
  commitRetryDelayMs: 100,
  grpcMessageBytesMax: 64 * 1024 * 1024,
  // Four times the bench's 1024 in flight: a client that piles up more is refused, not queued without end.
  grpcStreamCallsInFlightMax: 4096,
  rangeBatchEntries: 256,
  worldState: 'disaggregated',
  tieredState: DEFAULT_TIERED_STATE_LIMITS,
  // LevelDB's own default; the generic-XOV baseline varies it.
  leveldbCacheBytes: 8 * 1024 * 1024,
  // 150 attempts 200 ms apart: a memory node restarted by its supervisor within 30 s is picked up.
  memoryReconnectIntervalMs: 200,
  memoryReconnectAttemptsMax: 150,
  // Far above a loaded node's reply time (well under 100 ms), far below a submitter's commitWaitMs.
  memoryRequestTimeoutMs: 10_000,
  validation: 'parallel',
  // Enough to keep a remote memory node's pipeline full with a block of independent transactions.
  validationTasksMax: 64,
  validationThreads: 0,
  orderDependencyGraphs: true,
  // The ordering service of a permissioned network is run by its members; peers that do not trust it set false.
  trustOrdererGraphs: true,
});

export type HostConfigOverrides = Partial<Omit<HostConfig, 'stub' | 'tieredState'>> & { stub?: Partial<StubLimits>; tieredState?: Partial<TieredStateLimits> };

export function resolveHostConfig(overrides: HostConfigOverrides = {}): HostConfig {
  const config: HostConfig = {
    ...DEFAULT_HOST_CONFIG,
    ...defined(overrides),
    stub: { ...DEFAULT_STUB_LIMITS, ...defined(overrides.stub ?? {}) },
    tieredState: { ...DEFAULT_TIERED_STATE_LIMITS, ...defined(overrides.tieredState ?? {}) },
  };
  checkSettings('', overrides, DEFAULT_HOST_CONFIG, new Set(['validationThreads', 'signatureVerifyThreads']));
  if (overrides.stub !== undefined) checkSettings('stub.', overrides.stub, DEFAULT_STUB_LIMITS, new Set());
  if (overrides.tieredState !== undefined) checkSettings('tieredState.', overrides.tieredState, DEFAULT_TIERED_STATE_LIMITS, new Set());
  checkTieredRelations(config.tieredState);
  if (config.worldState !== 'disaggregated' && config.worldState !== 'leveldb') {
    throw new ConfigInvalidError(`worldState must be "disaggregated" or "leveldb", got ${JSON.stringify(config.worldState)}.`);
  }
  if (config.validation !== 'sequential' && config.validation !== 'parallel') {
    throw new ConfigInvalidError(`validation must be "sequential" or "parallel", got ${JSON.stringify(config.validation)}.`);
  }
  if (config.validationThreads > 0 && config.worldState !== 'disaggregated') {
    throw new ConfigInvalidError(`validationThreads (${config.validationThreads}) needs worldState "disaggregated": cNode threads read the tiered store.`, { hint: 'Set validationThreads to 0 for the leveldb world state.' });
  }
  const recordBytesMax = config.stub.keyBytesMax + config.stub.valueBytesMax + 1024;
  if (config.tieredState.slabBytes < recordBytesMax) {
    throw new ConfigInvalidError(`tieredState.slabBytes (${config.tieredState.slabBytes}) must hold the largest record: key and value limits plus header, ${recordBytesMax} bytes.`);
  }
  if (config.isolateMemoryMb < 8) throw new ConfigInvalidError(`isolateMemoryMb must be at least 8 (isolated-vm's minimum), got ${config.isolateMemoryMb}.`);
  if (config.txWallTimeMs < config.txCpuTimeMs) {
    throw new ConfigInvalidError(`txWallTimeMs (${config.txWallTimeMs}) must be at least txCpuTimeMs (${config.txCpuTimeMs}): CPU time is part of wall time.`);
  }
  if (config.rwSetBytesMax < config.stub.valueBytesMax) {
    throw new ConfigInvalidError(`rwSetBytesMax (${config.rwSetBytesMax}) must hold at least one value of stub.valueBytesMax (${config.stub.valueBytesMax}).`);
  }
  if (config.proposalBytesMax > config.grpcMessageBytesMax) {
    throw new ConfigInvalidError(`proposalBytesMax (${config.proposalBytesMax}) must not exceed grpcMessageBytesMax (${config.grpcMessageBytesMax}): a proposal travels in one message.`);
  }
  if (config.blockBytesMax < config.stub.valueBytesMax) {
    throw new ConfigInvalidError(`blockBytesMax (${config.blockBytesMax}) must hold at least one value of stub.valueBytesMax (${config.stub.valueBytesMax}).`);
  }
  if (config.endorsementBatchMax > 2 ** MERKLE_PATH_LENGTH_MAX) {
    throw new ConfigInvalidError(`endorsementBatchMax (${config.endorsementBatchMax}) must be at most 2^${MERKLE_PATH_LENGTH_MAX}: V1 refuses longer inclusion paths.`);
  }
  if (config.grpcMessageBytesMax < config.blockBytesMax) {
    throw new ConfigInvalidError(`grpcMessageBytesMax (${config.grpcMessageBytesMax}) must be at least blockBytesMax (${config.blockBytesMax}) so a block can be delivered.`);
  }
  return config;
}

/**
 * Every setting given must be one the host has, of the type of its default:
 * numbers are whole, and positive unless zero is named as allowed. A typo or a
 * string where a number belongs is an error naming the field, never ignored.
 */
function checkSettings(prefix: string, given: object, defaults: object, mayBeZero: ReadonlySet<string>): void {
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new ConfigInvalidError(`Host setting ${prefix.slice(0, -1) || 'overrides'} must be an object of settings.`);
  for (const [name, value] of Object.entries(given)) {
    const field = prefix + name;
    if (!Object.prototype.hasOwnProperty.call(defaults, name)) {
      throw new ConfigInvalidError(`Unknown host setting ${field}.`, { hint: `Known ${prefix ? `${prefix.slice(0, -1)} ` : ''}settings: ${Object.keys(defaults).join(', ')}.` });
    }
    if (value === undefined) continue;
    const expected = (defaults as Record<string, unknown>)[name];
    if (typeof expected === 'object') continue; // a nested group, checked on its own
    if (typeof expected === 'number') {
      const min = mayBeZero.has(name) ? 0 : 1;
      if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
        throw new ConfigInvalidError(`Host setting ${field} must be a whole number of at least ${min}, got ${JSON.stringify(value) ?? String(value)}.`);
      }
    } else if (typeof value !== typeof expected) {
      throw new ConfigInvalidError(`Host setting ${field} must be a ${typeof expected}, got ${JSON.stringify(value) ?? String(value)}.`);
    }
  }
}

/** Relations between the tiered store's limits that no single value shows. */
function checkTieredRelations(t: TieredStateLimits): void {
  const below = (a: keyof TieredStateLimits, b: keyof TieredStateLimits, why: string, orEqual = false) => {
    const [x, y] = [t[a] as number, t[b] as number];
    if (orEqual ? x > y : x >= y) throw new ConfigInvalidError(`tieredState.${a} (${x}) must be ${orEqual ? 'at most' : 'below'} tieredState.${b} (${y}): ${why}.`);
  };
  below('evictionFreeBytesMin', 'memoryBudgetBytes', 'otherwise eviction would never stop');
  below('slabBytes', 'memoryBudgetBytes', 'the budget must hold at least one slab', true);
  below('allocationBytesMin', 'slabBytes', 'an allocation lives inside one slab', true);
  below('readBackoffMs', 'readBackoffMaxMs', 'the first wait cannot be longer than the longest', true);
  below('materializeRetryDelayMs', 'materializeRetryDelayMaxMs', 'the first wait cannot be longer than the longest', true);
}

/** The settings given a value: one left undefined keeps its default. */
function defined<T extends object>(settings: T): Partial<T> {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Partial<T>;
}
