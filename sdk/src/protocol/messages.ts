// Wire formats of the transaction lifecycle (DESIGN.md §3), in one place.
//
// Every signed thing is bytes plus a signature over exactly those bytes, so a
// signature never depends on how a transport re-encodes a message: proposals
// and responses are canonical JSON, transactions and blocks binary.
// Layouts: docs/transaction-format.md.
//
//   proposal  = {channelId, contract, fn, args, creator, nonce, timestamp, txId}   signed by the client
//   response  = {txId, proposalHash, contract, payload, rwset, events}             signed by each endorser
//   tx        = 0x02, proposal, response, endorsements[]                           signed by the client
//   block     = {header: {number, previousHash, dataHash, graphHash?}, envelopes[], graph?}
//                                                                                  hash = sha256(header)

import { randomBytes } from 'node:crypto';
import { bytesEqual, utf8Decode, utf8Encode } from '../bytes';
import { canonicalStringify, type JsonValue } from '../canonical-json';
import { FlexChainError } from '../errors';
import { rwSetFromJson, rwSetToJson, type RwSet } from '../rwset';
import type { ChaincodeEvent, TxTimestamp } from '../stub';
import type { DependencyGraph } from './dependency-graph';
import { MERKLE_NODE_BYTES, MERKLE_PATH_LENGTH_MAX, type MerkleProof } from './endorsement-batch';
import { sha256Hex, sha256HexOf, sha256Of } from './signing';

export class MessageMalformedError extends FlexChainError {
  override name = 'MessageMalformedError';
}

export interface Creator {
  readonly mspId: string;
  readonly id: string;
}

export interface Proposal {
  readonly channelId: string;
  readonly contract: string;
  readonly fn: string;
  readonly args: readonly JsonValue[];
  readonly creator: Creator;
  /** 24 random bytes, hex. */
  readonly nonce: string;
  readonly timestamp: TxTimestamp;
  /** sha256(nonce || mspId || id), hex: unique per proposal and checkable by anyone. */
  readonly txId: string;
}

/** Bytes plus the signature over them. */
export interface Signed {
  readonly payload: Uint8Array;
  readonly signature: Uint8Array;
  /**
   * A session opened with the gateway (openSession): on a proposal it stands in
   * for the signature, which may then be empty. Never on a transaction, which
   * the creator always signs.
   */
  readonly session?: string;
}

/** What a client signs to open a session: it proves the creator's key once for many proposals. */
export interface SessionHello {
  readonly format: typeof SESSION_HELLO_FORMAT;
  readonly channelId: string;
  readonly creator: Creator;
  /** When the client made it, ms since the epoch: the gateway refuses hellos outside sessionClockSkewMs. */
  readonly timeMs: number;
  /** Random hex, so no two hellos are alike. */
  readonly nonce: string;
}

export const SESSION_HELLO_FORMAT = 'flexchain-session/1';

export function newSessionHello(channelId: string, creator: Creator, timeMs = Date.now()): SessionHello {
  return { format: SESSION_HELLO_FORMAT, channelId, creator: { mspId: creator.mspId, id: creator.id }, timeMs, nonce: randomBytes(16).toString('hex') };
}

export const encodeSessionHello = (hello: SessionHello): Uint8Array => utf8Encode(canonicalStringify(hello));

export function decodeSessionHello(bytes: Uint8Array): SessionHello {
  const h = parse(bytes, 'session hello');
  if (h.format !== SESSION_HELLO_FORMAT) fail(`session hello format is not ${SESSION_HELLO_FORMAT}`);
  requireString(h, 'channelId', 'session hello');
  requireString(h, 'nonce', 'session hello');
  const creator = requireObject(h.creator, 'session hello creator');
  requireString(creator, 'mspId', 'session hello creator');
  requireString(creator, 'id', 'session hello creator');
  if (!Number.isSafeInteger(h.timeMs)) fail('session hello timeMs is not an integer');
  return h as unknown as SessionHello;
}

export interface ProposalResponse {
  readonly txId: string;
  /** sha256 of the proposal bytes, hex: binds the response to one proposal. */
  readonly proposalHash: string;
  readonly contract: string;
  /** Package the endorsers ran; validation refuses it if another package is active by then. */
  readonly packageId: string;
  /** Canonical JSON of the return value, base64. */
  readonly payload: Uint8Array;
  readonly rwset: RwSet;
  readonly events: readonly ChaincodeEvent[];
}

export interface Endorsement {
  readonly endorser: Creator;
  /** Over the response bytes, or, with `batch`, over the root of the endorser's batch (endorsement-batch.ts). */
  readonly signature: Uint8Array;
  /** Where the response sits in the batch whose root was signed. */
  readonly batch?: MerkleProof;
}

export interface TransactionContent {
  readonly proposal: Uint8Array;
  readonly response: Uint8Array;
  readonly endorsements: readonly Endorsement[];
}

export interface BlockHeader {
  readonly number: number;
  /** Hex sha256 of the previous block's header; 64 zeros for block 0. */
  readonly previousHash: string;
  /** Hex sha256 over the envelopes' hashes in order. */
  readonly dataHash: string;
  /** Hex sha256 of the canonical dependency graph; absent on blocks cut without one (genesis). */
  readonly graphHash?: string;
}

export interface Block {
  readonly header: BlockHeader;
  readonly envelopes: readonly Signed[];
  /** As received: check it with graphDefect() before relying on it. */
  readonly graph?: DependencyGraph;
}

export const GENESIS_PREVIOUS_HASH = '0'.repeat(64);

export function txIdOf(nonce: string, creator: Creator): string {
  return sha256Hex(`${nonce}\u0000${creator.mspId}\u0000${creator.id}`);
}

export function newProposal(fields: Omit<Proposal, 'nonce' | 'txId'> & { nonce?: string }): Proposal {
  const nonce = fields.nonce ?? randomBytes(24).toString('hex');
  return { ...fields, nonce, txId: txIdOf(nonce, fields.creator) };
}

export const encodeProposal = (p: Proposal): Uint8Array => utf8Encode(canonicalStringify(p));

function decodeProposalUncached(bytes: Uint8Array): Proposal {
  const p = parse(bytes, 'proposal');
  for (const field of ['channelId', 'contract', 'fn', 'nonce', 'txId'] as const) requireString(p, field, 'proposal');
  if (!Array.isArray(p.args)) fail('proposal.args is not an array');
  const creator = requireObject(p.creator, 'proposal.creator');
  requireString(creator, 'mspId', 'proposal.creator');
  requireString(creator, 'id', 'proposal.creator');
  const ts = requireObject(p.timestamp, 'proposal.timestamp');
  if (!Number.isSafeInteger(ts.seconds) || !Number.isSafeInteger(ts.nanos)) fail('proposal.timestamp is not {seconds, nanos}');
  return p as unknown as Proposal;
}

export function encodeResponse(r: ProposalResponse): Uint8Array {
  return utf8Encode(
    canonicalStringify({
      txId: r.txId,
      proposalHash: r.proposalHash,
      contract: r.contract,
      packageId: r.packageId,
      payload: base64Encode(r.payload),
      rwset: rwSetToJson(r.rwset),
      events: r.events.map((e) => ({ name: e.name, payload: base64Encode(e.payload) })),
    }),
  );
}

function decodeResponseUncached(bytes: Uint8Array): ProposalResponse {
  const r = parse(bytes, 'response');
  for (const field of ['txId', 'proposalHash', 'contract', 'packageId', 'payload'] as const) requireString(r, field, 'response');
  if (!Array.isArray(r.events)) fail('response.events is not an array');
  return {
    txId: r.txId as string,
    proposalHash: r.proposalHash as string,
    contract: r.contract as string,
    packageId: r.packageId as string,
    payload: decodeBase64(r.payload as string, 'response.payload'),
    rwset: rwSetFromJson(r.rwset),
    events: (r.events as unknown[]).map((e, i) => {
      const o = requireObject(e, `response.events[${i}]`);
      requireString(o, 'name', 'event');
      return { name: o.name as string, payload: decodeBase64(o.payload as string, `response.events[${i}].payload`) };
    }),
  };
}

/** First byte of a binary transaction (flexchain-tx/2); a transaction in format 1 is JSON and starts with '{'. */
export const TRANSACTION_FORMAT_BINARY = 0x02;
/** Most endorsements one transaction may carry: far more organisations than any policy names. */
const TRANSACTION_ENDORSEMENTS_MAX = 0xffff;
const U16_BYTES = 2;
const isU32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

/**
 * A transaction in format 2 (docs/transaction-format.md): the proposal and the
 * response as they are, each after its length, then the endorsements. No
 * base64 and no JSON: a validator reads the proposal and the response as
 * views of the signed bytes.
 */
export function encodeTransaction(t: TransactionContent): Uint8Array {
  const names = t.endorsements.map((e) => [utf8Encode(e.endorser.mspId), utf8Encode(e.endorser.id)] as const);
  let size = 1 + 2 * U32_BYTES + t.proposal.length + t.response.length + U16_BYTES;
  t.endorsements.forEach((e, i) => {
    size += 3 * U16_BYTES + names[i]![0].length + names[i]![1].length + e.signature.length + 1;
    if (e.batch) size += 2 * U32_BYTES + 1 + e.batch.path.length * MERKLE_NODE_BYTES;
  });
  if (t.endorsements.length > TRANSACTION_ENDORSEMENTS_MAX) fail(`a transaction carries at most ${TRANSACTION_ENDORSEMENTS_MAX} endorsements`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  const u8 = (n: number) => void (out[at++] = n);
  const u16 = (n: number) => void (view.setUint16(at, n), (at += U16_BYTES));
  const u32 = (n: number) => void (view.setUint32(at, n), (at += U32_BYTES));
  const bytes = (b: Uint8Array) => void (out.set(b, at), (at += b.length));
  const short = (b: Uint8Array, what: string) => {
    if (b.length > 0xffff) fail(`${what} is over 65535 bytes`);
    u16(b.length);
    bytes(b);
  };
  u8(TRANSACTION_FORMAT_BINARY);
  u32(t.proposal.length);
  bytes(t.proposal);
  u32(t.response.length);
  bytes(t.response);
  u16(t.endorsements.length);
  t.endorsements.forEach((e, i) => {
    short(names[i]![0], 'an endorser mspId');
    short(names[i]![1], 'an endorser id');
    short(e.signature, 'an endorsement signature');
    u8(e.batch ? 1 : 0);
    if (!e.batch) return;
    if (e.batch.path.length > MERKLE_PATH_LENGTH_MAX || e.batch.path.some((node) => node.length !== MERKLE_NODE_BYTES)) fail(`a batch path is at most ${MERKLE_PATH_LENGTH_MAX} nodes of ${MERKLE_NODE_BYTES} bytes`);
    if (!isU32(e.batch.index) || !isU32(e.batch.count)) fail('a batch index and count are whole numbers below 2^32');
    u32(e.batch.index);
    u32(e.batch.count);
    u8(e.batch.path.length);
    for (const node of e.batch.path) bytes(node);
  });
  return out;
}

function decodeTransactionUncached(bytes: Uint8Array): TransactionContent {
  if (bytes[0] === JSON_OBJECT_START) return transactionFromJson(bytes);
  if (bytes[0] !== TRANSACTION_FORMAT_BINARY) fail(`transaction starts with byte ${bytes[0]}, which is no known transaction format`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 1;
  const take = (length: number, what: string): number => {
    if (at + length > bytes.length) fail(`transaction ends inside ${what}`);
    const from = at;
    at += length;
    return from;
  };
  const u8 = (what: string) => bytes[take(1, what)]!;
  const u16 = (what: string) => view.getUint16(take(U16_BYTES, what));
  const u32 = (what: string) => view.getUint32(take(U32_BYTES, what));
  const slice = (length: number, what: string) => {
    const from = take(length, what);
    return bytes.subarray(from, from + length);
  };
  const text = (what: string): string => {
    const raw = slice(u16(`the length of ${what}`), what);
    const decoded = utf8Decode(raw);
    // One spelling per name: bytes that are not UTF-8 would decode to U+FFFD and alias another.
    if (!bytesEqual(utf8Encode(decoded), raw)) fail(`${what} is not UTF-8`);
    return decoded;
  };
  const proposal = slice(u32('the proposal length'), 'the proposal');
  const response = slice(u32('the response length'), 'the response');
  const count = u16('the endorsement count');
  const endorsements: Endorsement[] = [];
  for (let i = 0; i < count; i++) {
    const where = `endorsement ${i}`;
    const mspId = text(`${where}'s mspId`);
    const id = text(`${where}'s id`);
    const signature = slice(u16(`${where}'s signature length`), `${where}'s signature`);
    const hasBatch = u8(`${where}'s batch flag`);
    if (hasBatch > 1) fail(`${where}'s batch flag is ${hasBatch}, not 0 or 1`);
    if (hasBatch === 0) {
      endorsements.push({ endorser: { mspId, id }, signature });
      continue;
    }
    const index = u32(`${where}'s batch index`);
    const batchCount = u32(`${where}'s batch count`);
    const pathLength = u8(`${where}'s path length`);
    if (pathLength > MERKLE_PATH_LENGTH_MAX) fail(`${where}'s batch path has ${pathLength} nodes, over ${MERKLE_PATH_LENGTH_MAX}`);
    const path = Array.from({ length: pathLength }, (_, j) => slice(MERKLE_NODE_BYTES, `${where}'s path node ${j}`));
    endorsements.push({ endorser: { mspId, id }, signature, batch: { index, count: batchCount, path } });
  }
  if (at !== bytes.length) fail(`transaction has ${bytes.length - at} bytes after its last endorsement`);
  return { proposal, response, endorsements };
}

/** Format 1: JSON with base64 fields, as clients before format 2 sent it and older blocks hold it. */
function transactionFromJson(bytes: Uint8Array): TransactionContent {
  const t = parse(bytes, 'transaction');
  if (!Array.isArray(t.endorsements)) fail('transaction.endorsements is not an array');
  return {
    proposal: decodeBase64(t.proposal, 'transaction.proposal'),
    response: decodeBase64(t.response, 'transaction.response'),
    endorsements: (t.endorsements as unknown[]).map((e, i) => {
      const o = requireObject(e, `transaction.endorsements[${i}]`);
      requireString(o, 'mspId', 'endorsement');
      requireString(o, 'id', 'endorsement');
      const where = `transaction.endorsements[${i}]`;
      const endorsement = { endorser: { mspId: o.mspId as string, id: o.id as string }, signature: decodeBase64(o.signature, `${where}.signature`) };
      if (o.batch === undefined) return endorsement;
      const b = requireObject(o.batch, `${where}.batch`);
      if (!Number.isSafeInteger(b.index) || !Number.isSafeInteger(b.count)) fail(`${where}.batch index and count are not integers`);
      if (!Array.isArray(b.path) || b.path.length > MERKLE_PATH_LENGTH_MAX) fail(`${where}.batch.path is not an array of at most ${MERKLE_PATH_LENGTH_MAX} nodes`);
      const path = (b.path as unknown[]).map((node, j) => decodeBase64(node, `${where}.batch.path[${j}]`));
      return { ...endorsement, batch: { index: b.index as number, count: b.count as number, path } };
    }),
  };
}

export function envelopeHash(envelope: Signed): Uint8Array {
  return sha256Of([envelope.payload, envelope.signature]);
}

export function dataHashOf(envelopes: readonly Signed[]): string {
  return sha256HexOf(envelopes.map(envelopeHash));
}

export function blockHash(header: BlockHeader): string {
  return sha256Hex(canonicalStringify(header));
}

function signedFromJson(json: unknown, what: string): Signed {
  const o = requireObject(json, what);
  return { payload: decodeBase64(o.payload, `${what}.payload`), signature: decodeBase64(o.signature, `${what}.signature`) };
}

/**
 * First byte of a binary block (flexchain-block/2). Blocks of format 1 were
 * canonical JSON, so they start with '{' and still decode.
 */
export const BLOCK_FORMAT_BINARY = 0x02;
const JSON_OBJECT_START = 0x7b;
const U32_BYTES = 4;

/**
 * A block as bytes: the format byte, then the canonical header JSON, the
 * canonical graph JSON (empty when there is none), the envelope count, and each
 * envelope's payload and signature, every part preceded by its length (u32,
 * big-endian). Envelopes are carried as they are, never re-encoded: a block
 * of n transactions costs n copies, not n base64 encodings. Encoded once per
 * block object (oncePerObject).
 */
export const encodeBlock: (block: Block) => Uint8Array = oncePerObject(encodeBlockUncached);

function encodeBlockUncached(block: Block): Uint8Array {
  const header = utf8Encode(canonicalStringify(block.header));
  const graph = block.graph === undefined ? new Uint8Array(0) : utf8Encode(canonicalStringify(block.graph as unknown as JsonValue));
  let size = 1 + U32_BYTES + header.length + U32_BYTES + graph.length + U32_BYTES;
  for (const e of block.envelopes) size += 2 * U32_BYTES + e.payload.length + e.signature.length;
  const out = Buffer.allocUnsafe(size);
  out[0] = BLOCK_FORMAT_BINARY;
  let at = 1;
  const put = (bytes: Uint8Array): void => {
    out.writeUInt32BE(bytes.length, at);
    out.set(bytes, at + U32_BYTES);
    at += U32_BYTES + bytes.length;
  };
  put(header);
  put(graph);
  out.writeUInt32BE(block.envelopes.length, at);
  at += U32_BYTES;
  for (const e of block.envelopes) {
    put(e.payload);
    put(e.signature);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

export function decodeBlock(bytes: Uint8Array): Block {
  if (bytes[0] === JSON_OBJECT_START) return blockFromJson(parse(bytes, 'block'));
  if (bytes[0] !== BLOCK_FORMAT_BINARY) fail(`block starts with byte ${bytes[0]}, which is no known block format`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 1;
  const u32 = (what: string): number => {
    if (at + U32_BYTES > bytes.length) fail(`block ends inside the length of ${what}`);
    const n = view.getUint32(at);
    at += U32_BYTES;
    return n;
  };
  const part = (what: string): Uint8Array => {
    const length = u32(what);
    if (at + length > bytes.length) fail(`block ends inside ${what} (${length} bytes)`);
    // A copy, not a view: envelopes outlive the block's bytes and are keys of the decode caches.
    const slice = bytes.slice(at, at + length);
    at += length;
    return slice;
  };
  const header = parse(part('the header'), 'block.header');
  const graphBytes = part('the graph');
  const count = u32('the envelope count');
  // Each envelope takes at least its two lengths, so a count beyond that is a lie, refused before any allocation.
  if (count > (bytes.length - at) / (2 * U32_BYTES)) fail(`block claims ${count} envelopes, more than its ${bytes.length} bytes hold`);
  const envelopes: Signed[] = [];
  for (let i = 0; i < count; i++) envelopes.push({ payload: part(`envelope ${i}'s payload`), signature: part(`envelope ${i}'s signature`) });
  if (at !== bytes.length) fail(`block has ${bytes.length - at} bytes after its last envelope`);
  const graph = graphBytes.length === 0 ? undefined : parseJsonValue(graphBytes);
  return blockOf(header, envelopes, graph);
}

function blockFromJson(b: Record<string, unknown>): Block {
  if (!Array.isArray(b.envelopes)) fail('block.envelopes is not an array');
  const envelopes = (b.envelopes as unknown[]).map((e, i) => signedFromJson(e, `block.envelopes[${i}]`));
  return blockOf(requireObject(b.header, 'block.header'), envelopes, b.graph);
}

function blockOf(h: Record<string, unknown>, envelopes: Signed[], graph: unknown): Block {
  if (!Number.isSafeInteger(h.number)) fail('block.header.number is not an integer');
  requireString(h, 'previousHash', 'block.header');
  requireString(h, 'dataHash', 'block.header');
  if (h.graphHash !== undefined) requireString(h, 'graphHash', 'block.header');
  // A malformed graph does not make the block unreadable: the peer rebuilds the graph (see graphDefect).
  return { header: h as unknown as BlockHeader, envelopes, ...(graph === undefined ? {} : { graph: graph as DependencyGraph }) };
}

/** The graph as JSON, or undefined when it is not JSON at all: the peer then rebuilds it (graphDefect). */
function parseJsonValue(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8Decode(bytes));
  } catch {
    return undefined;
  }
}

function parse(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(utf8Decode(bytes));
  } catch {
    fail(`${what} is not JSON`);
  }
  return requireObject(value, what);
}

function requireObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function requireString(o: Record<string, unknown>, field: string, what: string): void {
  if (typeof o[field] !== 'string') fail(`${what}.${field} is not a string`);
}

// Protocol code runs in Node only, so it uses Buffer's native base64 rather than the SDK's sandbox-safe one.
function base64Encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** Strict: only the canonical base64 of some bytes decodes (Buffer alone skips what it does not know). */
function decodeBase64(value: unknown, what: string): Uint8Array {
  if (typeof value !== 'string') fail(`${what} is not base64`);
  const bytes = Buffer.from(value, 'base64');
  // Re-encoding costs less than a regular expression over the string, and also refuses stray padding bits.
  if (bytes.toString('base64') !== value) fail(`${what} is not base64`);
  return new Uint8Array(bytes);
}

function fail(what: string): never {
  throw new MessageMalformedError(`Malformed message: ${what}.`, { hint: 'Build messages with the FlexChain client library.' });
}

/**
 * f, computed once per argument object. The gateway, the orderer and every
 * peer in a process handle the same envelope and block objects, and each used
 * to decode (or encode) them again. Keyed by the object, so bytes that arrive
 * anew (over gRPC, from disk) are decoded anew. The result is shared: treat it
 * as read-only, as its type says.
 */
function oncePerObject<K extends object, V>(f: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key)!;
    const value = f(key);
    cache.set(key, value);
    return value;
  };
}

/**
 * Proposals decoded lately, by their bytes: a transaction carries its
 * proposal as a copy of the bytes the gateway decoded when it endorsed, so
 * one process would otherwise decode each proposal twice. Bounded; the oldest go first.
 */
const RECENT_PROPOSALS_MAX = 2048;
/** Larger proposals (up to proposalBytesMax) are decoded each time, so the cache stays within a few MiB. */
const RECENT_PROPOSAL_BYTES_MAX = 2048;
const recentProposals = new Map<string, Proposal>();

function decodeProposalByContent(bytes: Uint8Array): Proposal {
  if (bytes.length > RECENT_PROPOSAL_BYTES_MAX) return decodeProposalUncached(bytes);
  const content = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const known = recentProposals.get(content);
  if (known) return known;
  const proposal = decodeProposalUncached(bytes);
  if (recentProposals.size >= RECENT_PROPOSALS_MAX) recentProposals.delete(recentProposals.keys().next().value!);
  recentProposals.set(content, proposal);
  return proposal;
}

export const decodeProposal: (bytes: Uint8Array) => Proposal = oncePerObject(decodeProposalByContent);
export const decodeResponse: (bytes: Uint8Array) => ProposalResponse = oncePerObject(decodeResponseUncached);
export const decodeTransaction: (bytes: Uint8Array) => TransactionContent = oncePerObject(decodeTransactionUncached);
