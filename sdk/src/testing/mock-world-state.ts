// The mocked world state: deploy contract classes into an in-memory ledger and
// run them exactly as a peer would, without a network.
//
// Simulation uses the same simulateTransaction as a cNode; commit uses the same
// MVCC check as the validator, applying a block's transactions in order with
// version (blockNum, txNum). So interleaving simulate() and commit() reproduces
// MVCC_READ_CONFLICT and PHANTOM_READ_CONFLICT as the network would report them.
// Each deployed contract has its own key namespace, as on the network.

import { createHash } from 'node:crypto';
import { toCanonicalJson, fromJsonBytes } from '../canonical-json';
import type { Contract } from '../contract';
import { defineContract, type ContractClass, type ContractDefinition } from '../definition';
import { ContractDefinitionInvalidError, TransactionInvalidError, TransactionNotFoundError } from '../errors';
import type { IdentityInfo } from '../identity';
import { assertValidKey } from '../keys';
import { resolveStubLimits, type StubLimits } from '../limits';
import type { LogRecord } from '../logger';
import { checkMvcc } from '../mvcc';
import { stateWriteOf, type RwSet, type Version } from '../rwset';
import { decodeResult, findTransaction, simulateTransaction, type SimulationResult } from '../simulate';
import type { ChaincodeEvent, TxTimestamp } from '../stub';
import type { TxValidationCodeName } from '../validation-code';
import type { VersionedEntry } from '../world-state';
import { MemoryVersionedStore } from './memory-state';

export interface MockWorldStateOptions {
  /** Returned by getChannelID(). Default "mychannel". */
  channelId?: string;
  /** Stub limits; defaults match the host's defaults. */
  limits?: Partial<StubLimits>;
  /** Default caller. Default Org1MSP / "client1". */
  identity?: IdentityInfo;
  /** Timestamp of the first transaction. Default 2025-01-01T00:00:00Z, so tests are repeatable. */
  startTime?: Date | number;
  /** How far the clock moves per transaction, in milliseconds, unless setTxTime fixed it. */
  txTimeStepMs?: number;
  /** Echo ctx.logger output to the console (contract console.log always shows). Default true. */
  printLogs?: boolean;
}

export interface CallOptions {
  /** Caller for this call only. */
  as?: IdentityInfo;
  txId?: string;
  timestamp?: Date | number;
}

export interface LogEntry extends LogRecord {
  readonly contract: string;
  readonly fn: string;
  readonly txId: string;
}

export interface SimulatedTx extends SimulationResult {
  /** The return value decoded as a client would see it. */
  readonly result: unknown;
  readonly timestamp: TxTimestamp;
  readonly creator: IdentityInfo;
  readonly logs: readonly LogEntry[];
}

export interface TxReceipt {
  readonly txId: string;
  readonly code: TxValidationCodeName;
  readonly blockNum: number;
  readonly txNum: number;
  /** Key or range that caused an MVCC or phantom conflict. */
  readonly conflict?: string;
}

export interface BlockReceipt {
  readonly blockNum: number;
  readonly transactions: readonly TxReceipt[];
}

export interface SubmittedTx extends SimulatedTx, TxReceipt {}

export interface CommittedEvent extends ChaincodeEvent {
  readonly contract: string;
  readonly txId: string;
  readonly blockNum: number;
}

export interface WorldSnapshot {
  readonly height: number;
  readonly namespaces: ReadonlyMap<string, MemoryVersionedStore>;
  readonly txIds: ReadonlySet<string>;
  readonly events: readonly CommittedEvent[];
}

const DEFAULT_IDENTITY: IdentityInfo = { mspId: 'Org1MSP', id: 'client1', role: 'client' };
const DEFAULT_START_TIME_MS = Date.UTC(2025, 0, 1);
const DEFAULT_TX_TIME_STEP_MS = 1000;
/** Block 0 is the genesis block on the network; transactions start at block 1. */
const FIRST_BLOCK_NUM = 1;

export class MockWorldState {
  readonly channelId: string;
  readonly limits: StubLimits;
  private readonly contracts = new Map<string, { definition: ContractDefinition; instance: Contract }>();
  private namespaces = new Map<string, MemoryVersionedStore>();
  private txIds = new Set<string>();
  private committedEvents: CommittedEvent[] = [];
  private readonly logEntries: LogEntry[] = [];
  private height = FIRST_BLOCK_NUM;
  private caller: IdentityInfo;
  private clockMs: number;
  private fixedTimeMs: number | undefined;
  private readonly timeStepMs: number;
  private nextTxIds: string[] = [];
  private txCounter = 0;
  private readonly printLogs: boolean;

  constructor(options: MockWorldStateOptions = {}) {
    this.channelId = options.channelId ?? 'mychannel';
    this.limits = resolveStubLimits(options.limits);
    this.caller = options.identity ?? DEFAULT_IDENTITY;
    this.clockMs = toMs(options.startTime ?? DEFAULT_START_TIME_MS);
    this.timeStepMs = options.txTimeStepMs ?? DEFAULT_TX_TIME_STEP_MS;
    this.printLogs = options.printLogs ?? true;
  }

  /** Deploys a contract class; its state starts empty. */
  deploy<C extends Contract>(contractClass: ContractClass<C>, options: { name?: string } = {}): MockContract<C> {
    const definition = defineContract(contractClass);
    const name = options.name ?? definition.name;
    if (this.contracts.has(name)) {
      throw new ContractDefinitionInvalidError(`A contract named "${name}" is already deployed in this world state.`, { hint: 'Pass { name } to deploy it under another name.' });
    }
    this.contracts.set(name, { definition: { ...definition, name }, instance: new contractClass() });
    if (!this.namespaces.has(name)) this.namespaces.set(name, new MemoryVersionedStore());
    return new MockContract<C>(this, name);
  }

  /** Sets the default caller for later calls. */
  setCaller(identity: IdentityInfo): void {
    this.caller = identity;
  }

  /** Fixes the timestamp of later transactions; pass undefined to let the clock advance again. */
  setTxTime(time: Date | number | undefined): void {
    this.fixedTimeMs = time === undefined ? undefined : toMs(time);
  }

  /** Queues tx ids for the next simulations, in order. */
  setNextTxId(...txIds: string[]): void {
    this.nextTxIds.push(...txIds);
  }

  /** Simulates a call without committing it. Rejects with the contract's error if it throws. */
  async simulate(contract: string, fn: string, args: readonly unknown[], options: CallOptions = {}): Promise<SimulatedTx> {
    const deployed = this.deployed(contract);
    const txId = options.txId ?? this.nextTxIds.shift() ?? this.generateTxId();
    const timestamp = toTimestamp(options.timestamp ?? this.nextTime());
    const creator = options.as ?? this.caller;
    const logs: LogEntry[] = [];
    const tx = findTransaction(deployed.definition, fn);
    const simulation = await simulateTransaction({
      definition: deployed.definition,
      instance: deployed.instance,
      fn,
      args,
      identity: creator,
      state: this.namespace(contract),
      txId,
      timestamp,
      channelId: this.channelId,
      limits: this.limits,
      log: (record) => {
        const entry = { ...record, contract, fn, txId };
        logs.push(entry);
        this.logEntries.push(entry);
        if (this.printLogs) console[record.level](`[${contract}.${fn} ${txId.slice(0, 8)}] ${record.message}`);
      },
    });
    return { ...simulation, result: decodeResult(simulation.payload, tx.returns), timestamp, creator, logs };
  }

  /**
   * Orders the transactions into one block and validates them in order, as a
   * peer does: duplicate tx ids, then MVCC and phantom checks against state that
   * includes the writes of the valid transactions before them in the block.
   */
  async commit(...txs: readonly (Pick<SimulatedTx, 'txId' | 'contract' | 'rwset'> & { events?: readonly ChaincodeEvent[] })[]): Promise<BlockReceipt> {
    const blockNum = this.height++;
    const receipts: TxReceipt[] = [];
    for (const [txNum, tx] of txs.entries()) {
      const store = this.namespace(tx.contract);
      let verdict: { code: TxValidationCodeName; conflict?: string };
      if (this.txIds.has(tx.txId)) verdict = { code: 'DUPLICATE_TXID' };
      else verdict = await checkMvcc(tx.rwset, store);
      this.txIds.add(tx.txId);
      if (verdict.code === 'VALID') {
        store.apply(writesOf(tx.rwset, { blockNum, txNum }));
        for (const event of tx.events ?? []) this.committedEvents.push({ ...event, contract: tx.contract, txId: tx.txId, blockNum });
      }
      receipts.push({ txId: tx.txId, blockNum, txNum, ...verdict });
    }
    return { blockNum, transactions: receipts };
  }

  /** Writes entries as one committed block; plain values are stored as canonical JSON, Uint8Array as is. */
  seed(contract: string, entries: Record<string, unknown> | Iterable<readonly [string, unknown]>): BlockReceipt {
    const store = this.namespace(contract);
    const blockNum = this.height++;
    const list = Symbol.iterator in entries ? [...(entries as Iterable<readonly [string, unknown]>)] : Object.entries(entries);
    store.apply(
      list.map(([key, value], txNum) => {
        assertValidKey(key, this.limits);
        return { write: { key, value: value instanceof Uint8Array ? value : toCanonicalJson(value) }, version: { blockNum, txNum } };
      }),
    );
    return { blockNum, transactions: [] };
  }

  /** Committed entries of a contract's namespace in [startKey, endKey), UTF-8 order. */
  entries(contract: string, startKey = '', endKey = ''): VersionedEntry[] {
    return this.namespace(contract).scan(startKey, endKey);
  }

  committedEntry(contract: string, key: string): VersionedEntry | undefined {
    const entry = this.namespace(contract).getSync(key);
    return entry && { key, value: new Uint8Array(entry.value), version: entry.version };
  }

  /** Events of valid committed transactions, in commit order. */
  get events(): readonly CommittedEvent[] {
    return this.committedEvents;
  }

  /** Everything contracts logged through ctx.logger. */
  get logs(): readonly LogEntry[] {
    return this.logEntries;
  }

  /** Number of the next block to be committed. */
  get blockHeight(): number {
    return this.height;
  }

  snapshot(): WorldSnapshot {
    return {
      height: this.height,
      namespaces: new Map([...this.namespaces].map(([name, store]) => [name, store.clone()])),
      txIds: new Set(this.txIds),
      events: [...this.committedEvents],
    };
  }

  /** Puts committed state back as it was; deployed contracts stay deployed. */
  restore(snapshot: WorldSnapshot): void {
    this.height = snapshot.height;
    this.namespaces = new Map([...snapshot.namespaces].map(([name, store]) => [name, store.clone()]));
    for (const name of this.contracts.keys()) if (!this.namespaces.has(name)) this.namespaces.set(name, new MemoryVersionedStore());
    this.txIds = new Set(snapshot.txIds);
    this.committedEvents = [...snapshot.events];
  }

  private deployed(contract: string) {
    const deployed = this.contracts.get(contract);
    if (!deployed) {
      throw new TransactionNotFoundError(`No contract named "${contract}" is deployed in this world state.`, {
        details: `Deployed: ${[...this.contracts.keys()].join(', ') || 'none'}.`,
        hint: 'Call world.deploy(MyContract) first.',
      });
    }
    return deployed;
  }

  private namespace(contract: string): MemoryVersionedStore {
    this.deployed(contract);
    return this.namespaces.get(contract)!;
  }

  private nextTime(): number {
    if (this.fixedTimeMs !== undefined) return this.fixedTimeMs;
    const now = this.clockMs;
    this.clockMs += this.timeStepMs;
    return now;
  }

  private generateTxId(): string {
    return createHash('sha256').update(`mock-tx-${this.txCounter++}`).digest('hex');
  }
}

type TransactionName<C> = { [K in keyof C]: C[K] extends (ctx: any, ...args: any[]) => unknown ? (K extends keyof Contract ? never : K) : never }[keyof C] & string;
type TransactionArgs<F> = F extends (ctx: any, ...args: infer A) => unknown ? A : never;

/** A deployed contract, bound to a caller. */
export class MockContract<C extends Contract> {
  constructor(
    readonly world: MockWorldState,
    readonly name: string,
    private readonly callOptions: CallOptions = {},
  ) {}

  /** The same contract called as another identity. */
  as(identity: IdentityInfo): MockContract<C> {
    return new MockContract<C>(this.world, this.name, { ...this.callOptions, as: identity });
  }

  /** Simulates without committing. */
  simulate<K extends TransactionName<C>>(fn: K, ...args: TransactionArgs<C[K]>): Promise<SimulatedTx> {
    return this.world.simulate(this.name, fn, args, this.callOptions);
  }

  /** Simulates and commits in a block of its own; throws TransactionInvalidError unless VALID. */
  async submit<K extends TransactionName<C>>(fn: K, ...args: TransactionArgs<C[K]>): Promise<SubmittedTx> {
    const tx = await this.simulate(fn, ...args);
    const block = await this.world.commit(tx);
    const receipt = block.transactions[0]!;
    if (receipt.code !== 'VALID') {
      throw new TransactionInvalidError(tx.txId, receipt.code, receipt.conflict ? { details: `Conflict on ${receipt.conflict}.` } : {});
    }
    return { ...tx, ...receipt };
  }

  /** Simulates a query and returns the decoded result; nothing is committed. */
  async evaluate<K extends TransactionName<C>>(fn: K, ...args: TransactionArgs<C[K]>): Promise<unknown> {
    return (await this.simulate(fn, ...args)).result;
  }

  /** Seeds committed state in one block (plain values as canonical JSON). */
  seed(entries: Record<string, unknown> | Iterable<readonly [string, unknown]>): BlockReceipt {
    return this.world.seed(this.name, entries);
  }

  /** Committed bytes of `key`. */
  getState(key: string): Uint8Array | undefined {
    return this.world.committedEntry(this.name, key)?.value;
  }

  /** Committed value of `key` decoded from JSON. */
  getJSON<T = unknown>(key: string): T | undefined {
    const value = this.getState(key);
    return value === undefined ? undefined : fromJsonBytes<T>(value);
  }

  /** Committed version of `key`. */
  getVersion(key: string): Version | undefined {
    return this.world.committedEntry(this.name, key)?.version;
  }

  /** Committed entries in [startKey, endKey). */
  entries(startKey = '', endKey = ''): VersionedEntry[] {
    return this.world.entries(this.name, startKey, endKey);
  }
}

export function createMockWorldState(options?: MockWorldStateOptions): MockWorldState {
  return new MockWorldState(options);
}

function writesOf(rwset: RwSet, version: Version) {
  return rwset.writes.map((w) => ({ write: stateWriteOf(w), version }));
}

function toMs(time: Date | number): number {
  return typeof time === 'number' ? time : time.getTime();
}

function toTimestamp(time: Date | number): TxTimestamp {
  const ms = toMs(time);
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}
