// A logical peer: its cNodes, its ledger (blocks, tx ids, world state,
// installed packages) and the commit pipeline.
//
// Commit pipeline for one block (DESIGN.md §3 steps 5-7):
//   check the hash chain -> V1 for every transaction concurrently ->
//   V2/V3 over a block overlay (duplicate tx id, MVCC, phantom), sequentially
//   or in parallel by the block's dependency graph (validate/block-validation) ->
//   one atomic LevelDB batch with the block, codes, tx ids and state ->
//   activate lifecycle changes, emit events, wake submitters.
// Blocks are committed one at a time, in order.

import { bytesEqual, FlexChainError, stateWriteOf, utf8Decode, utf8Encode, type LogLevel, type TxValidationCodeName } from '@flexchain/sdk';
import { blockHash, dataHashOf, decodeProposal, decodeResponse, decodeTransaction, GENESIS_PREVIOUS_HASH, graphDefect, type Block, type CommitStatus, type ContractEvent, type Proposal, type Signed, type ValidationStatus } from '@flexchain/sdk/protocol';
import type { HostConfig } from '../config';
import type { Membership, SigningIdentity } from '../identity/msp';
import { BlockStore, indexedTxIds } from '../ledger/block-store';
import { packageId, parsePackage, type ContractPackage } from '../sandbox/contract-package';
import { DisaggregatedWorldState, peerWorldState, type CommittedWrite, type PeerWorldState } from '../state/peer-world-state';
import { LedgerDb, type BatchOp } from '../storage/ledger-db';
import { digestAfterBlock, digestOfState, formatDigest } from '../state/state-digest';
import type { MemoryControl } from '../state/remote-memory/memory-control';
import { dependencyGraphOfVerdicts, validateBlock, type ValidationPlan } from '../validate/block-validation';
import { ThreadSignatureVerifier, type SignatureVerifier } from '../identity/signature-verifier';
import { VerifiedSignatures } from '../identity/verified-signatures';
import { BlockSignatures } from '../validate/block-signatures';
import { checkEndorsements, type ContractRules, type EndorsementVerdict } from '../validate/endorsement-validator';
import { CNode, type PeerServices } from './cnode';
import { activeContract, isDefinitionKey, LIFECYCLE_CONTRACT, LIFECYCLE_PACKAGE_ID, lifecycleEndorsementPolicy, type ActiveContract } from './lifecycle';

export class BlockChainBrokenError extends FlexChainError {
  override name = 'BlockChainBrokenError';
}

export class CommitTimeoutError extends FlexChainError {
  override name = 'CommitTimeoutError';
}

/** A peer's world state does not have the digest its ledger recorded: it refuses to serve. */
export class StateDigestMismatchError extends FlexChainError {
  override name = 'StateDigestMismatchError';
}

/** The peer stopped committing (a refused block, or storage failing for good); it serves nothing until restarted. */
export class PeerHaltedError extends FlexChainError {
  override name = 'PeerHaltedError';
}

/** Errors that retrying the same block cannot mend: the peer halts on them at once. */
const REFUSALS = new Set(['BlockChainBrokenError', 'InvariantViolatedError', 'MaterializationHaltedError']);

interface CommitWaiter {
  /** The envelope whose status is wanted; absent: whichever the tx-id index records. */
  readonly envelope: Signed | undefined;
  readonly done: (status: CommitStatus) => void;
  readonly fail: (err: Error) => void;
}

const sameEnvelope = (a: Signed, b: Signed): boolean => a === b || (bytesEqual(a.signature, b.signature) && bytesEqual(a.payload, b.payload));

type CommittedEvent = ContractEvent;

export interface PeerOptions {
  readonly mspId: string;
  readonly location: string;
  readonly channelId: string;
  readonly identity: SigningIdentity;
  readonly membership: Membership;
  readonly cnodeCount: number;
  readonly config: HostConfig;
  /** Connects to this peer's memory node in another process; omit for an in-process pool. */
  readonly connectMemory?: () => Promise<MemoryControl>;
  readonly log: (level: LogLevel, message: string) => void;
}

export class Peer implements PeerServices {
  readonly mspId: string;
  readonly channelId: string;
  readonly membership: Membership;
  readonly cnodes: CNode[];
  private readonly ledger: LedgerDb;
  private readonly blocks: BlockStore;
  private readonly worldState: PeerWorldState;
  private readonly packages = new Map<string, ContractPackage>();
  private readonly contracts = new Map<string, ActiveContract>();
  private readonly waiters = new Map<string, CommitWaiter[]>();
  private haltedBy: PeerHaltedError | undefined;
  private readonly haltListeners: ((error: PeerHaltedError) => void)[] = [];
  private readonly eventListeners = new Set<(event: CommittedEvent) => void>();
  private lastHash = GENESIS_PREVIOUS_HASH;
  private visibleHeight = 0;
  private commitChain: Promise<void> = Promise.resolve();
  private readonly startedAtMs = Date.now();
  private committedValid = 0;
  private committedInvalid = 0;
  private readonly timing = { blocks: 0, v1Ms: 0, mvccMs: 0, writeMs: 0, graphsBuiltLocally: 0 };
  /** Endorsement signatures made by this peer's cNodes or already verified: V1 checks each once. */
  readonly signatures: VerifiedSignatures;
  /** Verifies each block's signatures ahead of V1; none with signatureVerifyThreads 0, when V1 verifies them itself. */
  private readonly verifier: SignatureVerifier | undefined;

  constructor(private readonly options: PeerOptions) {
    this.mspId = options.mspId;
    this.channelId = options.channelId;
    this.membership = options.membership;
    this.signatures = new VerifiedSignatures(options.config.verifiedSignaturesMax);
    this.verifier = options.config.signatureVerifyThreads > 0 ? new ThreadSignatureVerifier(options.config.signatureVerifyThreads) : undefined;
    this.ledger = new LedgerDb(options.location, options.config.leveldbCacheBytes);
    this.blocks = new BlockStore(this.ledger);
    this.worldState = peerWorldState(this.ledger, options.config, options.cnodeCount, {
      ...(options.connectMemory ? { connect: options.connectMemory } : {}),
      log: (message) => options.log('warn', `${options.mspId}: ${message}`),
    });
    this.cnodes = Array.from({ length: options.cnodeCount }, (_, i) => new CNode(`${options.mspId}/cnode${i}`, i, this, options.identity, options.config, options.log));
    if (this.worldState instanceof DisaggregatedWorldState) this.worldState.materializer.onHalt((err) => this.halt(err.message, err));
  }

  /** Why the peer stopped, if it did: it then endorses, commits and waits for nothing. */
  get halted(): PeerHaltedError | undefined {
    return this.haltedBy;
  }

  /** Called once, when the peer halts: its process should exit non-zero so a supervisor restarts it. */
  onHalt(listener: (error: PeerHaltedError) => void): void {
    this.haltListeners.push(listener);
  }

  /**
   * Stops the peer for good, loudly: every commit waiter and every later call
   * gets the reason. A restart recovers from the block store, or, for a block
   * that cannot commit, halts again at the same place with the same reason.
   */
  private halt(reason: string, cause: unknown): void {
    if (this.haltedBy) return;
    this.haltedBy = new PeerHaltedError(`${this.mspId} halted at height ${this.blocks.height}: ${reason}`, { hint: 'Fix the cause it names and restart the node; nothing committed is lost.', ...(cause instanceof Error ? { cause } : {}) });
    this.options.log('error', this.haltedBy.message);
    for (const list of this.waiters.values()) for (const w of list) w.fail(this.haltedBy);
    this.waiters.clear();
    for (const listener of this.haltListeners) listener(this.haltedBy);
  }

  async open(): Promise<void> {
    await this.ledger.open();
    await this.blocks.load();
    this.lastHash = await this.blocks.verifyChain();
    for await (const [key, value] of this.ledger.packages.iterator()) {
      try {
        const pkg = parsePackage(utf8Decode(value), 'stored package');
        this.packages.set(packageId(pkg), pkg);
      } catch (err) {
        // Installed before the host checked packages as it does now: it stays stored but cannot run.
        this.options.log('warn', `${this.mspId}: stored package ${utf8Decode(key).slice(0, 12)} is not loaded: ${(err as Error).message}`);
      }
    }
    // State in memory did not survive the restart: materialise the blocks after the savepoint.
    await this.worldState.recover(this.blocks.height, (blockNum) => this.writesOf(blockNum));
    for await (const entry of this.state(LIFECYCLE_CONTRACT).range('', '')) if (isDefinitionKey(entry.key)) this.contracts.set(entry.key, activeContract(entry.value));
    await this.verifyStateDigest();
    this.visibleHeight = this.blocks.height;
  }

  /**
   * After recovery, the state scanned from storage must have the digest the
   * last block recorded: a lost write, a replayed block or a flipped byte at
   * rest shows here, and the peer refuses to serve rather than serve it.
   */
  private async verifyStateDigest(): Promise<void> {
    if (!this.options.config.stateDigestCheckOnOpen && this.blocks.digestRecorded) return;
    const names = new Set([LIFECYCLE_CONTRACT, ...[...this.contracts.values()].map((c) => c.definition.name)]);
    const scanned = await digestOfState([...names].map((name) => [name, this.state(name).range('', '')] as const));
    if (!this.blocks.digestRecorded) {
      // A ledger from before digests: its state as it stands is the starting point.
      this.blocks.adoptDigest(scanned);
      return;
    }
    if (scanned !== this.blocks.stateDigest) {
      throw new StateDigestMismatchError(`${this.mspId}'s world state does not match the digest recorded at height ${this.blocks.height}: state ${formatDigest(scanned).slice(0, 16)}…, recorded ${formatDigest(this.blocks.stateDigest).slice(0, 16)}…. Its storage is damaged or lost a write; refusing to serve it.`, {
        hint: `Stop the node, move ${this.options.location} aside and start again: the peer rebuilds its ledger and state from the orderer's blocks.`,
      });
    }
  }

  async close(): Promise<void> {
    await this.commitChain.catch(() => undefined);
    await this.worldState.close();
    for (const cnode of this.cnodes) cnode.close();
    await this.ledger.close();
    await this.verifier?.close();
  }

  /**
   * Blocks whose state is visible to readers. A block is durable (in the block
   * store) a little earlier; its writes reach world state, and then this height, after.
   */
  get height(): number {
    return this.visibleHeight;
  }

  // --- PeerServices, used by cNodes ---

  active(contract: string): ActiveContract | undefined {
    return this.contracts.get(contract);
  }

  packageOf(id: string): ContractPackage | undefined {
    return this.packages.get(id);
  }

  /**
   * A contract's state as seen by cNode `cnodeIndex` (0, the primary, validates).
   * A read that finds the memory node gone starts recovery, so endorsements can
   * resume even when no block is being committed.
   */
  state(contract: string, cnodeIndex = 0) {
    const ns = this.worldState.namespace(contract, cnodeIndex);
    const world = this.worldState;
    if (!(world instanceof DisaggregatedWorldState)) return ns;
    const recoverOn = (err: unknown): never => {
      if (world.isMemoryFailure(err)) void this.recoverMemoryLoss().catch(() => undefined);
      throw err;
    };
    return {
      get: (key: string) => ns.get(key).catch(recoverOn),
      rangePage: (start: string, end: string, limit: number) => ns.rangePage(start, end, limit).catch(recoverOn),
      range: (start: string, end: string) => ns.range(start, end),
      prefetch: (keys: readonly string[]) => ns.prefetch(keys).catch(recoverOn),
    };
  }

  // --- lifecycle ---

  async installPackage(pkg: ContractPackage): Promise<string> {
    const id = packageId(pkg);
    if (!this.packages.has(id)) {
      await this.ledger.packages.put(utf8Encode(id), utf8Encode(JSON.stringify(pkg)));
      this.packages.set(id, pkg);
    }
    return id;
  }

  get deployed(): ActiveContract[] {
    return [...this.contracts.values()];
  }

  // --- commit pipeline ---

  /**
   * Commits blocks strictly in order; a block already committed is ignored.
   * A transient fault is retried (commitAttemptsMax); a block that cannot
   * commit halts the peer, and this rejects with PeerHaltedError.
   */
  commitBlock(block: Block): Promise<void> {
    if (this.haltedBy) return Promise.reject(this.haltedBy);
    // Its signatures are verified off the main thread while the blocks before it commit.
    const verifier = block.header.number >= this.blocks.height ? this.verifier : undefined;
    const signatures = verifier ? BlockSignatures.verify(block.envelopes, this.membership, this.signatures, verifier).catch(() => BlockSignatures.none) : Promise.resolve(BlockSignatures.none);
    this.commitChain = this.commitChain.then(() => this.commit(block, signatures));
    return this.commitChain;
  }

  /**
   * Resolves when `txId` commits: with `envelope`, when that envelope does (a twin with the same tx id
   * does not answer for it). With checkLedger (default) a tx already on the ledger resolves at once.
   */
  waitForCommit(txId: string, timeoutMs: number, { checkLedger = true, envelope }: { checkLedger?: boolean; envelope?: Signed } = {}): Promise<CommitStatus> {
    if (this.haltedBy) return Promise.reject(this.haltedBy);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new CommitTimeoutError(`Transaction ${txId} did not commit within ${timeoutMs} ms.`, { hint: 'The network may be overloaded; query its status with `flexchain status`.' }));
      }, timeoutMs);
      const done = (status: CommitStatus) => {
        clearTimeout(timer);
        resolve(status);
      };
      const waiter: CommitWaiter = {
        envelope,
        done,
        fail: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const remove = () => {
        const list = this.waiters.get(txId)?.filter((w) => w !== waiter);
        if (list?.length) this.waiters.set(txId, list);
        else this.waiters.delete(txId);
      };
      this.waiters.set(txId, [...(this.waiters.get(txId) ?? []), waiter]);
      // It may have committed before we started waiting.
      if (checkLedger) void this.blocks.txStatus(txId).then((status) => {
        if (status) {
          remove();
          done({ txId, ...status });
        }
      });
    });
  }

  /**
   * The remote memory pool failed and restarted empty. Commits pause while the
   * peer materialises the blocks after its savepoint into storage and starts a
   * fresh pool; reads are then served from storage while memory refills.
   * Resolves with the number of blocks materialised.
   */
  recoverMemoryLoss(): Promise<number> {
    const world = this.worldState;
    if (!(world instanceof DisaggregatedWorldState)) return Promise.resolve(0);
    const recovery = this.commitChain.then(() => world.recoverFromFailure(this.blocks.height, (n) => this.writesOf(n)));
    this.commitChain = recovery.then(() => undefined);
    return recovery;
  }

  /** Fault injection for tests: the storage node stops receiving blocks to materialise. */
  set materializationLagging(lagging: boolean) {
    if (this.worldState instanceof DisaggregatedWorldState) this.worldState.materializationLagging = lagging;
  }

  /** A committed block with its validity codes. */
  block(blockNum: number) {
    return this.blocks.get(blockNum);
  }

  txStatus(txId: string): Promise<{ blockNum: number; txNum: number; code: TxValidationCodeName } | undefined> {
    return this.blocks.txStatus(txId);
  }

  onEvent(listener: (event: CommittedEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  /** Brings the world-state figures of stats() up to date (a remote memory node reports on request). */
  refreshStats(): Promise<void> {
    return this.worldState.refreshStats();
  }

  stats() {
    const uptimeS = (Date.now() - this.startedAtMs) / 1000;
    return {
      mspId: this.mspId,
      height: this.height,
      committedValid: this.committedValid,
      committedInvalid: this.committedInvalid,
      tpsSinceStart: uptimeS > 0 ? this.committedValid / uptimeS : 0,
      stateDigest: formatDigest(this.blocks.stateDigest),
      ...(this.haltedBy ? { halted: this.haltedBy.shortMessage } : {}),
      cnodes: this.cnodes.map((c) => ({ name: c.name, inFlight: c.inFlight, simulated: c.simulated, sandboxRebuilds: c.sandboxRebuilds, sandboxReads: c.sandboxReads, ...c.endorsementStats })),
      worldState: this.worldState.stats(),
      validation: this.validationStatus(),
    };
  }

  private validationStatus(): ValidationStatus {
    const lanes = this.worldState.validationLanes;
    const round = (ms: number) => Math.round(ms * 10) / 10;
    const { blocks, v1Ms, mvccMs, writeMs, graphsBuiltLocally } = this.timing;
    return {
      mode: this.options.config.validation,
      blocks,
      v1Ms: round(v1Ms),
      mvccMs: round(mvccMs),
      writeMs: round(writeMs),
      graphsBuiltLocally,
      ...(lanes ? { checksOnThreads: lanes.checkedOnThreads, checksOnPrimary: lanes.checkedLocally } : {}),
    };
  }

  private rulesFor = (proposal: Proposal): ContractRules | undefined => {
    if (proposal.contract === LIFECYCLE_CONTRACT) return { packageId: LIFECYCLE_PACKAGE_ID, policy: lifecycleEndorsementPolicy(proposal, this.membership.organisations), creatorRole: 'admin' };
    const active = this.contracts.get(proposal.contract);
    return active && { packageId: active.definition.packageId, policy: active.policy };
  };

  /**
   * Commits one block. If the memory node is lost while validating, the peer
   * recovers and validates again (nothing was written yet); if it is lost after
   * the block is durable, recovery materialises the block from the block store.
   */
  private async commit(block: Block, signatures: Promise<BlockSignatures>): Promise<void> {
    const { commitAttemptsMax, commitRetryDelayMs } = this.options.config;
    for (let attempt = 1; ; attempt++) {
      if (this.haltedBy) throw this.haltedBy;
      try {
        return await this.commitOnce(block, await BlockSignatures.within(signatures, this.options.config.signatureVerifyWaitMs));
      } catch (err) {
        let failure = err;
        if (this.isMemoryFailure(err)) {
          try {
            await this.recoverMemory();
            continue;
          } catch (recoveryErr) {
            // Recovery itself failed: that, not the lost node, is what to retry or halt on.
            failure = recoveryErr;
          }
        }
        // Once the block is durable its state may be half applied in memory: only a restart's recovery rebuilds it.
        const durable = block.header.number < this.blocks.height;
        const refused = failure instanceof FlexChainError && REFUSALS.has(failure.name);
        const message = failure instanceof Error ? failure.message : String(failure);
        if (durable || refused || attempt >= commitAttemptsMax) {
          this.halt(`block ${block.header.number} ${durable ? 'was stored but could not be applied' : refused ? 'was refused' : `failed ${attempt} times`}: ${message}`, failure);
          throw this.haltedBy!;
        }
        this.options.log('warn', `${this.mspId}: block ${block.header.number} failed to commit (attempt ${attempt} of ${commitAttemptsMax}), retrying: ${message}`);
        await new Promise((r) => setTimeout(r, commitRetryDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  /** Recovers from a lost memory node (materialising every durable block); any other error propagates. */
  private async recoverOrRethrow(err: unknown): Promise<void> {
    if (!this.isMemoryFailure(err)) throw err;
    await this.recoverMemory();
  }

  private isMemoryFailure(err: unknown): boolean {
    return this.worldState instanceof DisaggregatedWorldState && this.worldState.isMemoryFailure(err);
  }

  /** A fresh memory pool with every durable block materialised (only called after isMemoryFailure). */
  private async recoverMemory(): Promise<void> {
    await (this.worldState as DisaggregatedWorldState).recoverFromFailure(this.blocks.height, (n) => this.writesOf(n));
  }

  private async commitOnce(block: Block, preverified: BlockSignatures): Promise<void> {
    const blockNum = block.header.number;
    if (blockNum < this.blocks.height) return;
    if (blockNum > this.blocks.height) throw new BlockChainBrokenError(`${this.mspId} expected block ${this.blocks.height} but received ${blockNum}.`);
    if (block.header.previousHash !== this.lastHash || block.header.dataHash !== dataHashOf(block.envelopes)) {
      throw new BlockChainBrokenError(`Block ${blockNum} does not chain onto block ${blockNum - 1} or its data hash is wrong; refusing it.`, { hint: 'The orderer log may be corrupt; stop the network and check it.' });
    }

    const context = { membership: this.membership, channelId: this.channelId, limits: this.options.config, rulesFor: this.rulesFor, endorsementSignatures: this.signatures, preverified };
    const v1Start = performance.now();
    const verdicts: EndorsementVerdict[] = block.envelopes.map((e) => checkEndorsements(e, context));
    const mvccStart = performance.now();

    const txIds = verdicts.map((v) => (v.code === 'VALID' ? v.tx.proposal.txId : v.txId));
    const recorded = await this.blocks.recordedTxIds(txIds);
    const committedTxIds = new Set([...recorded].filter(([, owned]) => owned).map(([txId]) => txId));
    for (const [txNum, v] of verdicts.entries()) if (v.code !== 'VALID') this.options.log('debug', `block ${blockNum} tx ${txNum}: ${v.code} (${v.reason})`);
    const input = { blockNum, verdicts, committedTxIds, stateOf: (contract: string) => this.state(contract), ...(this.worldState.validationLanes ? { lanes: this.worldState.validationLanes } : {}) };
    const { codes, writes } = await validateBlock(input, this.validationPlan(block, verdicts));
    const writeStart = performance.now();

    const owners = verdicts.map((v, txNum) => v.code === 'VALID' && codes[txNum] !== 'DUPLICATE_TXID');
    const indexed = indexedTxIds(txIds, owners, recorded);
    const digest = await digestAfterBlock(this.blocks.stateDigest, writes, (contract, key) => this.state(contract).get(key));
    const ops: BatchOp[] = [...this.worldState.commitOps(writes), ...this.blocks.commitOps(block, codes, indexed, digest)];
    await this.ledger.write(ops);
    this.blocks.advance(blockNum, digest);
    this.lastHash = blockHash(block.header);
    // The block is durable: if memory is lost now, recovery materialises it from the block store.
    await this.worldState.blockCommitted(blockNum, writes).catch((err: unknown) => this.recoverOrRethrow(err));
    for (const cnode of this.cnodes) cnode.committed(writes);
    this.visibleHeight = blockNum + 1;
    this.timing.blocks++;
    this.timing.v1Ms += mvccStart - v1Start;
    this.timing.mvccMs += writeStart - mvccStart;
    this.timing.writeMs += performance.now() - writeStart;

    this.afterCommit(block, verdicts, codes, txIds, indexed);
  }

  /** The writes of a committed block's valid transactions, from the block store (recovery). */
  private async writesOf(blockNum: number): Promise<CommittedWrite[]> {
    const stored = await this.blocks.get(blockNum);
    if (!stored) throw new BlockChainBrokenError(`Block ${blockNum} is missing from ${this.mspId}'s block store.`);
    const writes: CommittedWrite[] = [];
    stored.block.envelopes.forEach((envelope, txNum) => {
      if (stored.codes[txNum] !== 'VALID') return;
      const content = decodeTransaction(envelope.payload);
      const contract = decodeProposal(content.proposal).contract;
      for (const w of decodeResponse(content.response).rwset.writes) writes.push({ contract, write: stateWriteOf(w), version: { blockNum, txNum } });
    });
    return writes;
  }

  /**
   * Sequential, or parallel over the block's dependency graph. A block whose
   * graph is missing or malformed gets one built here from the V1 verdicts: the
   * outcome is the same, only the orderer's work is repeated. So does every
   * block when the peer does not trust the orderer's graphs.
   */
  private validationPlan(block: Block, verdicts: readonly EndorsementVerdict[]): ValidationPlan {
    const { validation, validationTasksMax, trustOrdererGraphs } = this.options.config;
    if (validation === 'sequential' || block.envelopes.length === 0) return { mode: 'sequential' };
    const defect = trustOrdererGraphs ? graphDefect(block.graph, block.envelopes.length, block.header.graphHash) : undefined;
    if (trustOrdererGraphs && defect === undefined) return { mode: 'parallel', graph: block.graph!, tasksMax: validationTasksMax };
    if (defect !== undefined) this.options.log('warn', `${this.mspId}: block ${block.header.number}: ${defect}; building the dependency graph locally`);
    this.timing.graphsBuiltLocally++;
    return { mode: 'parallel', graph: dependencyGraphOfVerdicts(verdicts), tasksMax: validationTasksMax };
  }

  private afterCommit(block: Block, verdicts: readonly EndorsementVerdict[], codes: readonly TxValidationCodeName[], txIds: readonly (string | undefined)[], indexed: ReadonlyMap<number, string>): void {
    const blockNum = block.header.number;
    verdicts.forEach((verdict, txNum) => {
      const code = codes[txNum]!;
      if (code === 'VALID') this.committedValid++;
      else this.committedInvalid++;
      if (verdict.code !== 'VALID' || code !== 'VALID') return;
      const { proposal, response } = verdict.tx;
      if (proposal.contract === LIFECYCLE_CONTRACT && proposal.fn === 'activate') {
        const write = response.rwset.writes[0]!;
        const previous = this.contracts.get(write.key);
        const next = activeContract(write.value);
        this.contracts.set(write.key, next);
        if (previous && previous.definition.packageId !== next.definition.packageId) for (const cnode of this.cnodes) cnode.retire(previous.definition.packageId);
        this.options.log('info', `${this.mspId}: ${next.definition.name} ${next.definition.version} active (sequence ${next.definition.sequence}, policy ${next.definition.policy})`);
      }
      for (const event of response.events) {
        for (const listener of this.eventListeners) listener({ contract: proposal.contract, name: event.name, payload: event.payload, txId: proposal.txId, blockNum });
      }
    });
    // A waiter that names its envelope hears that envelope's status; one that names only the tx id, the status the index records.
    txIds.forEach((txId, txNum) => {
      const list = txId === undefined ? undefined : this.waiters.get(txId);
      if (!list) return;
      const envelope = block.envelopes[txNum]!;
      const answered = list.filter((w) => (w.envelope ? sameEnvelope(w.envelope, envelope) : indexed.get(txNum) === txId));
      if (answered.length === 0) return;
      const rest = list.filter((w) => !answered.includes(w));
      if (rest.length > 0) this.waiters.set(txId!, rest);
      else this.waiters.delete(txId!);
      for (const w of answered) w.done({ txId: txId!, code: codes[txNum]!, blockNum, txNum });
    });
  }
}
