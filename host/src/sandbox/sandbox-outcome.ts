// The outcome a sandbox reports, checked for shape before the host uses it.
//
// Everything that comes out of an isolate is untrusted: a hand-made package can
// report any value. This module turns the copied value into a fresh, typed
// outcome (no extra properties, no getters, bounded error text) or refuses it
// with SandboxOutcomeInvalidError. The host's rules on what a valid outcome may
// contain (key rules, sizes, counts) are in validate/response-rules.ts.

import { FlexChainError, type ChaincodeEvent, type KVRead, type KVWrite, type RangeQueryInfo, type RwSet, type TransactionKind, type Version } from '@flexchain/sdk';
import { bounded, WIRE_ERROR_MESSAGE_CHARS_MAX, WIRE_ERROR_NAME_CHARS_MAX } from '@flexchain/sdk/protocol';

export class SandboxOutcomeInvalidError extends FlexChainError {
  override name = 'SandboxOutcomeInvalidError';
}

/** Longest stack trace kept from a contract error before it is source-mapped, in characters. */
export const CONTRACT_STACK_CHARS_MAX = 16 * 1024;

export type SandboxOutcome =
  | { readonly ok: true; readonly kind: TransactionKind; readonly payload: Uint8Array; readonly rwset: RwSet; readonly events: readonly ChaincodeEvent[] }
  | { readonly ok: false; readonly error: { readonly name: string; readonly message: string; readonly stack: string } };

/** A typed copy of the sandbox's outcome, or SandboxOutcomeInvalidError naming what was wrong. */
export function outcomeOf(raw: unknown): SandboxOutcome {
  const o = record(raw, 'outcome');
  if (o.ok === false) {
    const e = record(o.error, 'outcome.error');
    return {
      ok: false,
      error: {
        name: bounded(text(e.name, 'outcome.error.name'), WIRE_ERROR_NAME_CHARS_MAX),
        message: bounded(text(e.message, 'outcome.error.message'), WIRE_ERROR_MESSAGE_CHARS_MAX),
        stack: typeof e.stack === 'string' ? e.stack.slice(0, CONTRACT_STACK_CHARS_MAX) : '',
      },
    };
  }
  if (o.ok !== true) fail('outcome.ok is not a boolean');
  if (o.kind !== 'submit' && o.kind !== 'evaluate') fail('outcome.kind is not "submit" or "evaluate"');
  const rw = record(o.rwset, 'outcome.rwset');
  const rwset: RwSet = {
    reads: list(rw.reads, 'rwset.reads').map((r, i) => read(r, `rwset.reads[${i}]`)),
    rangeQueries: list(rw.rangeQueries, 'rwset.rangeQueries').map((q, i): RangeQueryInfo => {
      const r = record(q, `rwset.rangeQueries[${i}]`);
      return {
        startKey: text(r.startKey, `rwset.rangeQueries[${i}].startKey`),
        endKey: text(r.endKey, `rwset.rangeQueries[${i}].endKey`),
        reads: list(r.reads, `rwset.rangeQueries[${i}].reads`).map((x, j) => read(x, `rwset.rangeQueries[${i}].reads[${j}]`)),
      };
    }),
    writes: list(rw.writes, 'rwset.writes').map((w, i): KVWrite => {
      const r = record(w, `rwset.writes[${i}]`);
      if (typeof r.isDelete !== 'boolean') fail(`rwset.writes[${i}].isDelete is not a boolean`);
      return { key: text(r.key, `rwset.writes[${i}].key`), isDelete: r.isDelete as boolean, value: bytes(r.value, `rwset.writes[${i}].value`) };
    }),
  };
  const events = list(o.events, 'outcome.events').map((e, i): ChaincodeEvent => {
    const r = record(e, `outcome.events[${i}]`);
    return { name: text(r.name, `outcome.events[${i}].name`), payload: bytes(r.payload, `outcome.events[${i}].payload`) };
  });
  return { ok: true, kind: o.kind, payload: bytes(o.payload, 'outcome.payload'), rwset, events };
}

function read(value: unknown, what: string): KVRead {
  const r = record(value, what);
  const key = text(r.key, `${what}.key`);
  if (r.version === undefined) return { key };
  const v = record(r.version, `${what}.version`);
  if (!isIndex(v.blockNum) || !isIndex(v.txNum)) fail(`${what}.version is not {blockNum, txNum}`);
  const version: Version = { blockNum: v.blockNum as number, txNum: v.txNum as number };
  return { key, version };
}

const isIndex = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} is not an object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) fail(`${what} is not an array`);
  return value as unknown[];
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') fail(`${what} is not a string`);
  return value as string;
}

function bytes(value: unknown, what: string): Uint8Array {
  if (!(value instanceof Uint8Array)) fail(`${what} is not a Uint8Array`);
  return value as Uint8Array;
}

function fail(what: string): never {
  throw new SandboxOutcomeInvalidError(`The sandbox reported a malformed outcome: ${what}.`, { hint: 'Build the package with `flexchain build`; hand-made packages must follow the sandbox protocol.' });
}
