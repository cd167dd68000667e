// The host's own rules for what a simulation may produce.
//
// The SDK's stub enforces the same rules inside the isolate, but there the
// contract controls them: a hand-made package can report any rw-set, payload
// or events it likes. So the host checks every response itself, once when a
// cNode endorses (before signing) and again in V1 (an endorsement from another
// peer is no proof that its rules were kept). A response that breaks a rule is
// never signed, and never committed: V1 marks it BAD_RWSET.
//
// Rules: every key valid (non-empty, well-formed UTF-16, within keyBytesMax,
// U+0000 only as a composite key), reads and writes strictly ascending in
// UTF-8 order (canonical and free of duplicates), values within valueBytesMax,
// at most rangeQueriesMax range queries with well-formed bounds whose reads lie
// in the range, at most rwSetKeysMax keys and rwSetBytesMax encoded bytes, events
// within the stub's event limits, and the return payload within
// responsePayloadBytesMax.

import {
  assertValidKey,
  compareUtf8,
  encodeRwSet,
  EventInvalidError,
  FlexChainError,
  isCompositeKey,
  COMPOSITE_KEY_NAMESPACE,
  isWellFormedUnicode,
  keyInRange,
  RangeQueryInvalidError,
  RwSetMalformedError,
  utf8ByteLength,
  ValueInvalidError,
  type ChaincodeEvent,
  type KVRead,
  type RwSet,
  type StubLimits,
} from '@flexchain/sdk';

/** A transaction went over a per-transaction limit (CPU, memory, wall time, rw-set, payload). */
export class TxLimitExceededError extends FlexChainError {
  override name = 'TxLimitExceededError';
}

export interface ResponseLimits {
  readonly stub: StubLimits;
  readonly rwSetKeysMax: number;
  readonly rwSetBytesMax: number;
  readonly rangeQueriesMax: number;
  readonly responsePayloadBytesMax: number;
}

export interface SimulatedResponse {
  readonly payload: Uint8Array;
  readonly rwset: RwSet;
  readonly events: readonly ChaincodeEvent[];
}

/**
 * Throws a FlexChainError naming the first rule the response breaks; `where` names the transaction.
 * `encodedBytesMax`, when known (the size of the signed response), bounds the rw-set's encoding and spares re-encoding it.
 */
export function assertResponseWithinRules(response: SimulatedResponse, limits: ResponseLimits, where: string, encodedBytesMax = Infinity): void {
  const { payload, rwset, events } = response;
  if (payload.length > limits.responsePayloadBytesMax) {
    throw new TxLimitExceededError(`${where} returned ${payload.length} bytes, over responsePayloadBytesMax (${limits.responsePayloadBytesMax} bytes).`, { hint: 'Return less; page through large results.' });
  }
  if (rwset.rangeQueries.length > limits.rangeQueriesMax) {
    throw new TxLimitExceededError(`${where} ran ${rwset.rangeQueries.length} range queries, over rangeQueriesMax (${limits.rangeQueriesMax}).`, { hint: 'Query fewer, wider ranges, or split the work across transactions.' });
  }
  let keys = rwset.reads.length + rwset.writes.length;
  for (const q of rwset.rangeQueries) keys += q.reads.length;
  if (keys > limits.rwSetKeysMax) {
    throw new TxLimitExceededError(`${where} touched ${keys} keys, over rwSetKeysMax (${limits.rwSetKeysMax}).`, { hint: 'Split the work across several transactions.' });
  }
  assertAscendingKeys(rwset.reads, limits.stub, `${where}: reads`);
  assertAscendingKeys(rwset.writes, limits.stub, `${where}: writes`);
  for (const w of rwset.writes) {
    if (w.isDelete ? w.value.length !== 0 : w.value.length > limits.stub.valueBytesMax) {
      throw new ValueInvalidError(`${where} wrote ${w.value.length} bytes to ${JSON.stringify(w.key.slice(0, 32))}, over valueBytesMax (${limits.stub.valueBytesMax} bytes).`, { hint: 'Store large data off-chain and keep its hash in state.' });
    }
  }
  rwset.rangeQueries.forEach((q, i) => {
    assertRangeBound(q.startKey, limits.stub);
    assertRangeBound(q.endKey, limits.stub);
    assertAscendingKeys(q.reads, limits.stub, `${where}: range query ${i}`);
    if (q.reads.some((r) => !keyInRange(r.key, q.startKey, q.endKey))) throw new RangeQueryInvalidError(`${where}: range query ${i} reports a key outside its range.`);
  });
  // Encoding is exact but costs as much as the rest of these checks: only a rw-set that could be too large is encoded.
  const mayExceed = encodedBytesMax > limits.rwSetBytesMax && rwSetBytesBound(rwset) > limits.rwSetBytesMax;
  const bytes = mayExceed ? encodeRwSet(rwset).length : 0;
  if (bytes > limits.rwSetBytesMax) {
    throw new TxLimitExceededError(`${where} has a ${bytes}-byte rw-set, over rwSetBytesMax (${limits.rwSetBytesMax} bytes).`, { hint: 'Write less per transaction.' });
  }
  assertEventsWithinRules(events, limits.stub, where);
}

/** Bytes of canonical JSON any entry takes besides its key and value: field names, brackets, a version of two numbers, a comma. */
const RW_ENTRY_JSON_BYTES_MAX = 128;
/** Bytes one UTF-16 code unit of a key can take in JSON: an escape such as \u0001. */
const JSON_BYTES_PER_CODE_UNIT_MAX = 6;

/** An upper bound of encodeRwSet(rwset).length, computed without encoding it. */
function rwSetBytesBound(rwset: RwSet): number {
  const key = (k: string) => k.length * JSON_BYTES_PER_CODE_UNIT_MAX + RW_ENTRY_JSON_BYTES_MAX;
  let bytes = RW_ENTRY_JSON_BYTES_MAX;
  for (const r of rwset.reads) bytes += key(r.key);
  for (const w of rwset.writes) bytes += key(w.key) + 4 * Math.ceil(w.value.length / 3);
  for (const q of rwset.rangeQueries) {
    bytes += key(q.startKey) + key(q.endKey);
    for (const r of q.reads) bytes += key(r.key);
  }
  return bytes;
}

/**
 * A range bound is '' (unbounded), a valid key, or the end of a partial
 * composite-key range: a composite key prefix whose last U+0000 is raised to U+0001.
 */
export function assertRangeBound(bound: unknown, stubLimits: StubLimits): asserts bound is string {
  if (bound === '') return;
  // A page after the first starts at keySuccessor(last key), one byte longer than a key may be.
  const limits = { keyBytesMax: stubLimits.keyBytesMax + 1 };
  const compositePrefix = typeof bound === 'string' && bound.endsWith('\u0001') ? bound.slice(0, -1) + COMPOSITE_KEY_NAMESPACE : undefined;
  try {
    // The end of a partial composite range is valid when the prefix it raises is a valid composite key.
    assertValidKey(compositePrefix !== undefined && isCompositeKey(compositePrefix) ? compositePrefix : bound, limits);
  } catch (err) {
    throw new RangeQueryInvalidError(`Range bound is not valid: ${(err as FlexChainError).shortMessage}`, { hint: 'Use getStateByRange with simple keys, or getStateByPartialCompositeKey.' });
  }
}

function assertEventsWithinRules(events: readonly ChaincodeEvent[], limits: StubLimits, where: string): void {
  if (events.length > limits.eventCountMax) {
    throw new EventInvalidError(`${where} set ${events.length} events, over eventCountMax (${limits.eventCountMax}).`, { hint: 'Combine events into one payload.' });
  }
  for (const e of events) {
    if (typeof e.name !== 'string' || e.name.length === 0 || !isWellFormedUnicode(e.name) || utf8ByteLength(e.name) > limits.eventNameBytesMax) {
      throw new EventInvalidError(`${where} set an event whose name is empty, malformed or over eventNameBytesMax (${limits.eventNameBytesMax} bytes).`);
    }
    if (e.payload.length > limits.eventPayloadBytesMax) {
      throw new EventInvalidError(`${where} set event "${e.name.slice(0, 64)}" with ${e.payload.length} bytes, over eventPayloadBytesMax (${limits.eventPayloadBytesMax} bytes).`, { hint: 'Emit a key or id and let subscribers read the state.' });
    }
  }
}

function assertAscendingKeys(entries: readonly Pick<KVRead, 'key'>[], limits: StubLimits, where: string): void {
  let previous: string | undefined;
  for (const { key } of entries) {
    assertValidKey(key, limits);
    if (previous !== undefined && compareUtf8(previous, key) >= 0) {
      throw new RwSetMalformedError(`${where} are not in strictly ascending key order.`, { hint: 'Rw-sets must be built by the SDK: sorted by key, each key once.' });
    }
    previous = key;
  }
}
