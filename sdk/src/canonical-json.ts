// Canonical JSON: the same value always gives the same bytes.
//
// Object keys are sorted by UTF-16 code units (as RFC 8785 does), there is no
// whitespace, numbers use ECMAScript's shortest round-trip form. Values with no
// JSON form (undefined in arrays, NaN, Infinity, bigint, functions, class
// instances, cycles) are rejected with the path to the offending value rather
// than silently dropped, so two peers can never disagree on bytes.

import { utf8Decode, utf8Encode } from './bytes';
import { JsonBytesInvalidError, JsonValueUnsupportedError } from './errors';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Canonical JSON text of `value`. */
export function canonicalStringify(value: unknown): string {
  return stringifyAt(value, { path: [], ancestors: [] });
}

/** Canonical JSON bytes (UTF-8) of `value`. */
export function toCanonicalJson(value: unknown): Uint8Array {
  return utf8Encode(canonicalStringify(value));
}

/** Parses JSON bytes; throws JsonBytesInvalidError naming where parsing failed. */
export function fromJsonBytes<T = JsonValue>(bytes: Uint8Array): T {
  const text = utf8Decode(bytes);
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new JsonBytesInvalidError('Value is not valid JSON.', {
      details: `${(err as Error).message}; value starts with ${JSON.stringify(text.slice(0, 40))}.`,
      hint: 'Read it with getState and decode it yourself if it was not written as JSON.',
      cause: err,
    });
  }
}

/**
 * Where the encoder is: the path to the current value (array indexes and
 * object keys, joined only for an error message) and the objects it is inside
 * (few, so a scan finds a cycle faster than a Set would).
 */
interface Position {
  readonly path: (string | number)[];
  readonly ancestors: object[];
}

function stringifyAt(value: unknown, at: Position): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw unsupported(at, `the number ${value}`, 'Store finite numbers only.');
      return JSON.stringify(value);
    case 'bigint':
      throw unsupported(at, `bigint ${value}n`, 'Convert it to a decimal string with String(value).');
    case 'object': {
      if (value === null) return 'null';
      if (at.ancestors.includes(value)) throw unsupported(at, 'a circular reference', 'Store a tree, not a graph.');
      if (!Array.isArray(value) && !isPlainObject(value)) {
        const kind = value instanceof Uint8Array ? 'a Uint8Array' : `an instance of ${(value as object).constructor?.name ?? 'a class'}`;
        throw unsupported(at, kind, 'Convert it to plain objects, arrays, strings and numbers first.');
      }
      at.ancestors.push(value);
      const text = Array.isArray(value) ? arrayText(value, at) : objectText(value as Record<string, unknown>, at);
      at.ancestors.pop();
      return text;
    }
    default:
      throw unsupported(at, typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`, 'Only JSON values can be encoded.');
  }
}

function arrayText(items: readonly unknown[], at: Position): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    at.path.push(i);
    if (item === undefined) throw unsupported(at, 'undefined inside an array', 'Use null.');
    out += (i === 0 ? '' : ',') + stringifyAt(item, at);
    at.path.pop();
  }
  return out + ']';
}

function objectText(object: Record<string, unknown>, at: Position): string {
  const keys = Object.keys(object);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (const key of keys) {
    const item = object[key];
    if (item === undefined) continue;
    at.path.push(key);
    out += (out.length === 1 ? '' : ',') + JSON.stringify(key) + ':' + stringifyAt(item, at);
    at.path.pop();
  }
  return out + '}';
}

/** A plain object from any realm (a vm context or an isolate has its own Object.prototype). */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return proto === null || (Object.getPrototypeOf(proto) === null && proto.constructor?.name === 'Object');
}

function unsupported(at: Position, what: string, hint: string): JsonValueUnsupportedError {
  const path = '$' + at.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
  return new JsonValueUnsupportedError(`Cannot encode ${what} at ${path} as canonical JSON.`, { hint });
}
