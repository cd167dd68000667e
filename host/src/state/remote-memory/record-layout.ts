// Byte layout of a record in remote memory (docs/remote-memory-format.md).
//
//   offset  size  field
//   0       8     next: address of the next (newer) version; NULL_ADDRESS if this is the latest
//   8       1     flags: bit 0 valid (cleared while the record is being evicted), bit 1 tombstone (a delete)
//   9       2     key length in bytes (u16)
//   11      4     value length in bytes (u32)
//   15      12    version: blockNum (u32 high, u32 low), txNum (u32)
//   27      ...   key (UTF-8), then value
//
// All integers big-endian. Addresses are byte offsets into the pool:
// slabIndex * slabBytes + offset, below 2^53. Flag bits are a memory format: do not renumber.

import { utf8Decode, utf8Encode, type Version } from '@flexchain/sdk';
import { readVersion, writeVersion } from '../version-bytes';

export const RECORD_HEADER_BYTES = 27;
export const NULL_ADDRESS = -1;
export const FLAG_VALID = 0b01;
export const FLAG_TOMBSTONE = 0b10;
/** Longest key a record can hold (u16 length). */
export const RECORD_KEY_BYTES_MAX = 0xffff;

const NEXT_OFFSET = 0;
const FLAGS_OFFSET = 8;
const KEY_LENGTH_OFFSET = 9;
const VALUE_LENGTH_OFFSET = 11;
const VERSION_OFFSET = 15;
const TWO_POW_32 = 2 ** 32;
const NULL_WORD = 0xffffffff;

export interface MemoryRecord {
  readonly key: string;
  readonly version: Version;
  /** Absent for a tombstone. */
  readonly value: Uint8Array | undefined;
  readonly next: number;
  readonly valid: boolean;
}

export function recordBytes(keyBytes: number, valueBytes: number): number {
  return RECORD_HEADER_BYTES + keyBytes + valueBytes;
}

/** Encodes a fresh, valid, latest-version record. */
export function encodeRecord(key: string, version: Version, value: Uint8Array | undefined): Uint8Array {
  const keyBytes = utf8Encode(key);
  const valueBytes = value ?? new Uint8Array(0);
  const out = new Uint8Array(recordBytes(keyBytes.length, valueBytes.length));
  const view = new DataView(out.buffer);
  writeAddress(view, NEXT_OFFSET, NULL_ADDRESS);
  view.setUint8(FLAGS_OFFSET, FLAG_VALID | (value === undefined ? FLAG_TOMBSTONE : 0));
  view.setUint16(KEY_LENGTH_OFFSET, keyBytes.length);
  view.setUint32(VALUE_LENGTH_OFFSET, valueBytes.length);
  writeVersion(view, VERSION_OFFSET, version);
  out.set(keyBytes, RECORD_HEADER_BYTES);
  out.set(valueBytes, RECORD_HEADER_BYTES + keyBytes.length);
  return out;
}

/** Total length of the record starting at `offset` of `bytes` (only its header needs to be present). */
export function encodedLength(bytes: Uint8Array, offset = 0): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, RECORD_HEADER_BYTES);
  return recordBytes(view.getUint16(KEY_LENGTH_OFFSET), view.getUint32(VALUE_LENGTH_OFFSET));
}

export function decodeRecord(bytes: Uint8Array): MemoryRecord {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const flags = view.getUint8(FLAGS_OFFSET);
  const keyLength = view.getUint16(KEY_LENGTH_OFFSET);
  const valueLength = view.getUint32(VALUE_LENGTH_OFFSET);
  const keyStart = RECORD_HEADER_BYTES;
  const valueStart = keyStart + keyLength;
  return {
    key: utf8Decode(bytes.subarray(keyStart, valueStart)),
    version: readVersion(view, VERSION_OFFSET),
    value: flags & FLAG_TOMBSTONE ? undefined : bytes.slice(valueStart, valueStart + valueLength),
    next: readAddress(view, NEXT_OFFSET),
    valid: (flags & FLAG_VALID) !== 0,
  };
}

/** A copy of the record starting at `offset` of `slab` (a one-sided read). */
export function copyRecord(slab: Uint8Array, offset: number): Uint8Array {
  return slab.slice(offset, offset + encodedLength(slab, offset));
}

/** Field writers used in place on a slab by the control plane. */
export function setNext(slab: Uint8Array, offset: number, next: number): void {
  writeAddress(new DataView(slab.buffer, slab.byteOffset + offset, 8), 0, next);
}

export function getNext(slab: Uint8Array, offset: number): number {
  return readAddress(new DataView(slab.buffer, slab.byteOffset + offset, 8), 0);
}

export function setValid(slab: Uint8Array, offset: number, valid: boolean): void {
  const flags = slab[offset + FLAGS_OFFSET]!;
  slab[offset + FLAGS_OFFSET] = valid ? flags | FLAG_VALID : flags & ~FLAG_VALID;
}

function writeAddress(view: DataView, at: number, address: number): void {
  if (address === NULL_ADDRESS) {
    view.setUint32(at, NULL_WORD);
    view.setUint32(at + 4, NULL_WORD);
  } else {
    view.setUint32(at, Math.floor(address / TWO_POW_32));
    view.setUint32(at + 4, address >>> 0);
  }
}

function readAddress(view: DataView, at: number): number {
  const high = view.getUint32(at);
  const low = view.getUint32(at + 4);
  return high === NULL_WORD && low === NULL_WORD ? NULL_ADDRESS : high * TWO_POW_32 + low;
}
