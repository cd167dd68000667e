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
  return stringifyAt(value, '$', new Set());
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

function stringifyAt(value: unknown, path: string, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw unsupported(path, `the number ${value}`, 'Store finite numbers only.');
      return JSON.stringify(value);
    case 'bigint':
      throw unsupported(path, `bigint ${value}n`, 'Convert it to a decimal string with String(value).');
    case 'object': {
      if (value === null) return 'null';
      if (seen.has(value)) throw unsupported(path, 'a circular reference', 'Store a tree, not a graph.');
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          return '[' + value.map((item, i) => {
            if (item === undefined) throw unsupported(`${path}[${i}]`, 'undefined inside an array', 'Use null.');
            return stringifyAt(item, `${path}[${i}]`, seen);
          }).join(',') + ']';
        }
        if (!isPlainObject(value)) {
          const kind = value instanceof Uint8Array ? 'a Uint8Array' : `an instance of ${(value as object).constructor?.name ?? 'a class'}`;
          throw unsupported(path, kind, 'Convert it to plain objects, arrays, strings and numbers first.');
        }
        const entries = Object.keys(value)
          .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
          .sort()
          .map((k) => JSON.stringify(k) + ':' + stringifyAt((value as Record<string, unknown>)[k], `${path}.${k}`, seen));
        return '{' + entries.join(',') + '}';
      } finally {
        seen.delete(value);
      }
    }
    default:
      throw unsupported(path, typeof value === 'undefined' ? 'undefined' : `a ${typeof value}`, 'Only JSON values can be encoded.');
  }
}

/** A plain object from any realm (a vm context or an isolate has its own Object.prototype). */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
  return proto === null || (Object.getPrototypeOf(proto) === null && proto.constructor?.name === 'Object');
}

function unsupported(path: string, what: string, hint: string): JsonValueUnsupportedError {
  return new JsonValueUnsupportedError(`Cannot encode ${what} at ${path} as canonical JSON.`, { hint });
}
