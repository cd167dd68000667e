// The world-state stub a contract sees as `ctx.stub`, and the simulation that
// backs it.
//
// SimulationStub reads committed state through a VersionedStateReader and never
// writes to it: reads are traced with versions, writes and deletes are buffered
// in the rw-set, a transaction reads its own earlier writes, and range queries
// merge buffered writes over committed entries while recording the committed
// entries they pass for the phantom check. One instance serves one transaction;
// it is not safe to share.

import { compareUtf8, copyBytes, utf8ByteLength } from './bytes';
import { fromJsonBytes, toCanonicalJson } from './canonical-json';
import { EventInvalidError, RangeQueryInvalidError, StateWriteForbiddenError, TransactionClosedError, ValueInvalidError } from './errors';
import {
  assertSimpleRangeBound,
  assertValidKey,
  createCompositeKey,
  keyInRange,
  keySuccessor,
  partialCompositeKeyRange,
  SIMPLE_KEY_MIN,
  splitCompositeKey,
} from './keys';
import type { StubLimits } from './limits';
import { RwSetBuilder, type KVRead, type KVWrite, type RangeQueryInfo, type RwSet } from './rwset';
import type { VersionedEntry, VersionedStateReader } from './world-state';

export interface KV {
  readonly key: string;
  readonly value: Uint8Array;
}

export interface StateQueryIterator extends AsyncIterable<KV> {
  next(): Promise<IteratorResult<KV, undefined>>;
  /** Stops the scan early; what was seen so far is what the phantom check covers. */
  close(): Promise<void>;
}

export interface PaginatedQueryResult {
  readonly results: KV[];
  readonly fetchedRecordsCount: number;
  /** Pass back to get the next page; empty when there are no more records. */
  readonly bookmark: string;
}

export interface ChaincodeEvent {
  readonly name: string;
  readonly payload: Uint8Array;
}

export interface TxTimestamp {
  readonly seconds: number;
  readonly nanos: number;
}

export interface ChaincodeStub {
  /** Value of `key` as this transaction sees it (its own writes first), or undefined if absent. */
  getState(key: string): Promise<Uint8Array | undefined>;
  putState(key: string, value: Uint8Array): Promise<void>;
  deleteState(key: string): Promise<void>;
  /** getState + canonical JSON decode. */
  getJSON<T = unknown>(key: string): Promise<T | undefined>;
  /** Canonical JSON encode (sorted keys, stable bytes) + putState. */
  putJSON(key: string, value: unknown): Promise<void>;
  /** Entries with simple keys in [startKey, endKey), UTF-8 byte order. Empty bounds mean open-ended. */
  getStateByRange(startKey: string, endKey: string): StateQueryIterator;
  getStateByRangeWithPagination(startKey: string, endKey: string, pageSize: number, bookmark?: string): Promise<PaginatedQueryResult>;
  createCompositeKey(objectType: string, attributes: readonly string[]): string;
  splitCompositeKey(key: string): { objectType: string; attributes: string[] };
  getStateByPartialCompositeKey(objectType: string, attributes: readonly string[]): StateQueryIterator;
  getStateByPartialCompositeKeyWithPagination(objectType: string, attributes: readonly string[], pageSize: number, bookmark?: string): Promise<PaginatedQueryResult>;
  /** Emits an event to subscribers if the transaction commits as valid. */
  setEvent(name: string, payload: Uint8Array): void;
  getTxID(): string;
  getTxTimestamp(): TxTimestamp;
  /** The proposal timestamp as a Date (identical on every endorser). */
  getDateTimestamp(): Date;
  getChannelID(): string;
}

export interface SimulationStubOptions {
  readonly state: VersionedStateReader;
  readonly txId: string;
  readonly timestamp: TxTimestamp;
  readonly channelId: string;
  readonly limits: StubLimits;
  /** An @Evaluate transaction: writes are refused. */
  readonly readOnly: boolean;
  readonly transactionName: string;
}

export class SimulationStub implements ChaincodeStub {
  private readonly rwset = new RwSetBuilder();
  private readonly events: ChaincodeEvent[] = [];
  private readonly openIterators = new Set<MergedRangeIterator>();
  private closed = false;

  constructor(private readonly options: SimulationStubOptions) {}

  async getState(key: string): Promise<Uint8Array | undefined> {
    this.assertOpen();
    assertValidKey(key, this.options.limits);
    const pending = this.rwset.pendingWrite(key);
    if (pending) return pending.isDelete ? undefined : copyBytes(pending.value);
    const committed = await this.options.state.get(key);
    this.assertOpen();
    this.rwset.addRead(key, committed?.version);
    return committed ? copyBytes(committed.value) : undefined;
  }

  async putState(key: string, value: Uint8Array): Promise<void> {
    this.assertWritable('putState');
    assertValidKey(key, this.options.limits);
    if (!(value instanceof Uint8Array)) {
      throw new ValueInvalidError(`Value for key ${JSON.stringify(key)} must be a Uint8Array, got ${typeof value}.`, {
        hint: 'Use putJSON for objects, or encode text with utf8Encode from @flexchain/sdk.',
      });
    }
    if (value.length > this.options.limits.valueBytesMax) {
      throw new ValueInvalidError(`Value for key ${JSON.stringify(key)} is ${value.length} bytes, over valueBytesMax (${this.options.limits.valueBytesMax} bytes).`, {
        hint: 'Split the value across several keys or store less.',
      });
    }
    this.rwset.addWrite(key, value);
  }

  async deleteState(key: string): Promise<void> {
    this.assertWritable('deleteState');
    assertValidKey(key, this.options.limits);
    this.rwset.addDelete(key);
  }

  async getJSON<T = unknown>(key: string): Promise<T | undefined> {
    const bytes = await this.getState(key);
    return bytes === undefined ? undefined : fromJsonBytes<T>(bytes);
  }

  async putJSON(key: string, value: unknown): Promise<void> {
    this.assertWritable('putJSON');
    await this.putState(key, toCanonicalJson(value));
  }

  getStateByRange(startKey: string, endKey: string): StateQueryIterator {
    this.assertOpen();
    const [start, end] = this.rangeBounds(startKey, endKey);
    return this.openRange(start, end);
  }

  async getStateByRangeWithPagination(startKey: string, endKey: string, pageSize: number, bookmark = ''): Promise<PaginatedQueryResult> {
    this.assertOpen();
    const [start, end] = this.rangeBounds(startKey, endKey);
    return this.paginate(start, end, pageSize, bookmark);
  }

  createCompositeKey(objectType: string, attributes: readonly string[]): string {
    return createCompositeKey(objectType, attributes);
  }

  splitCompositeKey(key: string): { objectType: string; attributes: string[] } {
    return splitCompositeKey(key);
  }

  getStateByPartialCompositeKey(objectType: string, attributes: readonly string[]): StateQueryIterator {
    this.assertOpen();
    const { startKey, endKey } = partialCompositeKeyRange(objectType, attributes);
    return this.openRange(startKey, endKey);
  }

  async getStateByPartialCompositeKeyWithPagination(objectType: string, attributes: readonly string[], pageSize: number, bookmark = ''): Promise<PaginatedQueryResult> {
    this.assertOpen();
    const { startKey, endKey } = partialCompositeKeyRange(objectType, attributes);
    return this.paginate(startKey, endKey, pageSize, bookmark);
  }

  setEvent(name: string, payload: Uint8Array): void {
    this.assertOpen();
    const { eventCountMax, eventNameBytesMax, eventPayloadBytesMax } = this.options.limits;
    if (typeof name !== 'string' || name.length === 0) throw new EventInvalidError('Event name must be a non-empty string.');
    if (utf8ByteLength(name) > eventNameBytesMax) throw new EventInvalidError(`Event name is longer than eventNameBytesMax (${eventNameBytesMax} bytes).`);
    if (!(payload instanceof Uint8Array)) {
      throw new EventInvalidError(`Payload of event "${name}" must be a Uint8Array, got ${typeof payload}.`, { hint: 'Encode objects with toCanonicalJson.' });
    }
    if (payload.length > eventPayloadBytesMax) {
      throw new EventInvalidError(`Payload of event "${name}" is ${payload.length} bytes, over eventPayloadBytesMax (${eventPayloadBytesMax} bytes).`, {
        hint: 'Emit a key or id and let subscribers read the state.',
      });
    }
    if (this.events.length >= eventCountMax) {
      throw new EventInvalidError(`Transaction set more than eventCountMax (${eventCountMax}) events.`, { hint: 'Combine events into one payload.' });
    }
    this.events.push({ name, payload: copyBytes(payload) });
  }

  getTxID(): string {
    return this.options.txId;
  }

  getTxTimestamp(): TxTimestamp {
    return this.options.timestamp;
  }

  getDateTimestamp(): Date {
    const { seconds, nanos } = this.options.timestamp;
    return new Date(seconds * 1000 + Math.floor(nanos / 1_000_000));
  }

  getChannelID(): string {
    return this.options.channelId;
  }

  /** Ends the transaction: closes open iterators (recording what they saw) and returns the rw-set and events. */
  async finish(): Promise<{ rwset: RwSet; events: ChaincodeEvent[] }> {
    for (const iterator of [...this.openIterators]) await iterator.close();
    this.closed = true;
    return { rwset: this.rwset.build(), events: [...this.events] };
  }

  private rangeBounds(startKey: string, endKey: string): [string, string] {
    assertSimpleRangeBound(startKey, 'startKey', this.options.limits);
    assertSimpleRangeBound(endKey, 'endKey', this.options.limits);
    const start = startKey === '' ? SIMPLE_KEY_MIN : startKey;
    if (endKey !== '' && compareUtf8(start, endKey) > 0) {
      throw new RangeQueryInvalidError(`Range startKey ${JSON.stringify(startKey)} is after endKey ${JSON.stringify(endKey)}.`, {
        hint: 'Ranges are [startKey, endKey) in UTF-8 byte order; swap the bounds.',
      });
    }
    return [start, endKey];
  }

  private openRange(startKey: string, endKey: string): MergedRangeIterator {
    const iterator = new MergedRangeIterator(
      this.options.state.range(startKey, endKey)[Symbol.asyncIterator](),
      this.rwset.pendingWritesInRange(startKey, endKey),
      startKey,
      endKey,
      (info) => {
        this.openIterators.delete(iterator);
        if (info.startKey !== info.endKey) this.rwset.addRangeQuery(info);
      },
    );
    this.openIterators.add(iterator);
    return iterator;
  }

  private async paginate(startKey: string, endKey: string, pageSize: number, bookmark: string): Promise<PaginatedQueryResult> {
    const { rangePageSizeMax } = this.options.limits;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > rangePageSizeMax) {
      throw new RangeQueryInvalidError(`Page size must be an integer from 1 to rangePageSizeMax (${rangePageSizeMax}), got ${String(pageSize)}.`);
    }
    if (typeof bookmark !== 'string') throw new RangeQueryInvalidError('Bookmark must be a string.');
    if (bookmark !== '' && !keyInRange(bookmark, startKey, endKey)) {
      throw new RangeQueryInvalidError(`Bookmark ${JSON.stringify(bookmark)} lies outside the queried range.`, {
        hint: 'Pass back the bookmark the previous page returned, with the same range.',
      });
    }
    const iterator = this.openRange(bookmark === '' ? startKey : bookmark, endKey);
    const results: KV[] = [];
    let next: KV | undefined;
    // Read one record past the page: its key is the bookmark, so the phantom check must cover it too.
    for (;;) {
      const item = await iterator.next();
      if (item.done) break;
      if (results.length === pageSize) {
        next = item.value;
        break;
      }
      results.push(item.value);
    }
    await iterator.close();
    return { results, fetchedRecordsCount: results.length, bookmark: next?.key ?? '' };
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new TransactionClosedError(`Transaction ${this.options.txId} has finished; its stub can no longer be used.`, {
        hint: 'Await every stub call inside the transaction method; do not keep iterators or the stub after it returns.',
      });
    }
  }

  private assertWritable(operation: string): void {
    this.assertOpen();
    if (this.options.readOnly) {
      throw new StateWriteForbiddenError(`${operation} is not allowed in "${this.options.transactionName}", an @Evaluate (read-only) transaction.`, {
        hint: 'Mark the method @Submit if it changes state.',
      });
    }
  }
}

/**
 * Iterates committed entries merged with the transaction's own pending writes.
 * On close it reports the scanned range as complete over [startKey, end), where
 * end is the successor of the last key the caller saw (or endKey if exhausted),
 * with every committed entry below that bound.
 */
class MergedRangeIterator implements StateQueryIterator {
  private committedHead: VersionedEntry | null | undefined; // undefined: not fetched; null: exhausted
  private pendingIndex = 0;
  private readonly consumed: KVRead[] = [];
  private lastDeliveredKey: string | undefined;
  private finished = false;

  constructor(
    private readonly committed: AsyncIterator<VersionedEntry>,
    private readonly pending: readonly KVWrite[],
    private readonly startKey: string,
    private readonly endKey: string,
    private readonly onFinish: (info: RangeQueryInfo) => void,
  ) {}

  [Symbol.asyncIterator](): AsyncIterator<KV, undefined> {
    return { next: () => this.next(), return: async () => (await this.close(), { done: true, value: undefined }) };
  }

  async next(): Promise<IteratorResult<KV, undefined>> {
    for (;;) {
      if (this.finished) return { done: true, value: undefined };
      if (this.committedHead === undefined) {
        const item = await this.committed.next();
        this.committedHead = item.done ? null : item.value;
        if (this.committedHead) this.consumed.push({ key: this.committedHead.key, version: this.committedHead.version });
      }
      const head = this.committedHead;
      const write = this.pending[this.pendingIndex];
      if (head === null && write === undefined) {
        this.finish(true);
        continue;
      }
      const order = head === null ? 1 : write === undefined ? -1 : compareUtf8(head.key, write.key);
      if (order <= 0) this.committedHead = undefined;
      if (order >= 0) this.pendingIndex++;
      if (order < 0) return this.deliver(head!.key, head!.value);
      if (!write!.isDelete) return this.deliver(write!.key, write!.value);
    }
  }

  async close(): Promise<void> {
    if (this.finished) return;
    this.finish(false);
    await this.committed.return?.();
  }

  private deliver(key: string, value: Uint8Array): IteratorResult<KV, undefined> {
    this.lastDeliveredKey = key;
    return { done: false, value: { key, value: copyBytes(value) } };
  }

  private finish(exhausted: boolean): void {
    this.finished = true;
    const end = exhausted ? this.endKey : this.lastDeliveredKey === undefined ? this.startKey : keySuccessor(this.lastDeliveredKey);
    const reads = exhausted ? this.consumed : this.consumed.filter((r) => keyInRange(r.key, this.startKey, end));
    this.onFinish({ startKey: this.startKey, endKey: end, reads });
  }
}
