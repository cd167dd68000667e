// Runtime types for transaction arguments and return values.
//
// Each type checks a value coming from a client (JSON on the wire, or a plain JS
// value in tests), converts it to its JS form, and converts it back for the wire.
// `check` accepts both forms (a bigint may arrive as 12n or "12"), so
// check(toWire(check(x))) always succeeds: a unit test and the network see the
// same arguments. Objects are strict: unknown fields are rejected.

import { base64Decode, base64Encode } from './bytes';
import { canonicalStringify, type JsonValue } from './canonical-json';
import { describeValue, FlexChainError, UNKNOWN_FIELD_EXPECTED } from './errors';

/** JSON-serialisable description of a type; part of a contract's metadata. */
export type TypeDescriptor =
  | { type: 'string'; minLength?: number; maxLength?: number; pattern?: string }
  | { type: 'int' | 'number'; min?: number; max?: number }
  | { type: 'bigint'; min?: string; max?: string }
  | { type: 'boolean' }
  | { type: 'bytes'; maxLength?: number }
  | { type: 'enum'; values: string[] }
  | { type: 'json' }
  | { type: 'void' }
  | { type: 'optional'; of: TypeDescriptor }
  | { type: 'array'; of: TypeDescriptor; maxLength?: number }
  | { type: 'object'; fields: Record<string, TypeDescriptor> };

/** Raised by Type.check; the dispatcher turns it into ArgumentInvalidError or ReturnValueInvalidError. */
export class TypeMismatchError extends FlexChainError {
  override name = 'TypeMismatchError';
  constructor(
    readonly path: string,
    readonly expected: string,
    readonly received: unknown,
    readonly reason?: string,
  ) {
    super(`${path || 'value'} must be ${expected}, got ${describeValue(received)}${reason ? ` (${reason})` : ''}.`);
  }
}

export interface Type<T> {
  /** Phrase used in errors: "an integer", "a string of at most 64 characters". */
  readonly expected: string;
  readonly optional: boolean;
  /** Validates and converts; `path` locates nested values in errors (e.g. "order.items[2]"). */
  check(value: unknown, path?: string): T;
  toWire(value: T): JsonValue | undefined;
  describe(): TypeDescriptor;
}

export type Infer<X> = X extends Type<infer T> ? T : never;

function makeType<T>(expected: string, descriptor: TypeDescriptor, check: (value: unknown, path: string) => T, toWire: (value: T) => JsonValue | undefined, optional = false): Type<T> {
  return {
    expected,
    optional,
    check: (value, path = '') => check(value, path),
    toWire,
    describe: () => descriptor,
  };
}

function bounds(min: number | bigint | undefined, max: number | bigint | undefined): string {
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` >= ${min}`;
  if (max !== undefined) return ` <= ${max}`;
  return '';
}

// A loop, not Object.fromEntries(Object.entries(..)): contracts build their types at every instantiation of their module.
function stripUndefined<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(o)) {
    const value = (o as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

export interface StringOptions {
  minLength?: number;
  /** In characters (UTF-16 code units are not used: "é" and "😀" count as one each). */
  maxLength?: number;
  pattern?: RegExp | PatternMatcher;
}

/** What a string type needs of a pattern: its source and a search. A RegExp is one; a client uses a linear-time engine. */
export interface PatternMatcher {
  readonly source: string;
  test(text: string): boolean;
}

/** Builds the matcher for a pattern found in a type descriptor. */
export type PatternCompiler = (source: string) => PatternMatcher;

const compileRegExp: PatternCompiler = (source) => new RegExp(source);

function string(options: StringOptions = {}): Type<string> {
  const { minLength, maxLength, pattern } = options;
  let expected = 'a string';
  if (minLength !== undefined && maxLength !== undefined) expected += ` of ${minLength} to ${maxLength} characters`;
  else if (minLength !== undefined) expected += ` of at least ${minLength} characters`;
  else if (maxLength !== undefined) expected += ` of at most ${maxLength} characters`;
  if (pattern) expected += ` matching /${pattern.source}/`;
  return makeType(
    expected,
    stripUndefined({ type: 'string' as const, minLength, maxLength, pattern: pattern?.source }),
    (value, path) => {
      if (typeof value !== 'string') throw new TypeMismatchError(path, expected, value);
      const length = [...value].length;
      if (minLength !== undefined && length < minLength) throw new TypeMismatchError(path, expected, value, `${length} characters`);
      if (maxLength !== undefined && length > maxLength) throw new TypeMismatchError(path, expected, value, `${length} characters`);
      if (pattern && !pattern.test(value)) throw new TypeMismatchError(path, expected, value);
      return value;
    },
    (value) => value,
  );
}

export interface NumberOptions {
  min?: number;
  max?: number;
}

function int(options: NumberOptions = {}): Type<number> {
  const expected = `an integer${bounds(options.min, options.max)}`;
  return makeType(
    expected,
    stripUndefined({ type: 'int' as const, ...options }),
    (value, path) => {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        const reason = typeof value === 'number' && Number.isInteger(value) ? 'beyond ±2^53; use t.bigint()' : undefined;
        throw new TypeMismatchError(path, expected, value, reason);
      }
      checkBounds(value, options.min, options.max, path, expected);
      return value;
    },
    (value) => value,
  );
}

function number(options: NumberOptions = {}): Type<number> {
  const expected = `a finite number${bounds(options.min, options.max)}`;
  return makeType(
    expected,
    stripUndefined({ type: 'number' as const, ...options }),
    (value, path) => {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeMismatchError(path, expected, value);
      checkBounds(value, options.min, options.max, path, expected);
      return value === 0 ? 0 : value; // -0 has no JSON form of its own
    },
    (value) => value,
  );
}

function checkBounds<N extends number | bigint>(value: N, min: N | undefined, max: N | undefined, path: string, expected: string): void {
  if ((min !== undefined && value < min) || (max !== undefined && value > max)) throw new TypeMismatchError(path, expected, value, 'out of range');
}

const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

function bigint(options: { min?: bigint; max?: bigint } = {}): Type<bigint> {
  const expected = `a bigint (or a decimal integer string)${bounds(options.min, options.max)}`;
  return makeType(
    expected,
    stripUndefined({ type: 'bigint' as const, min: options.min?.toString(), max: options.max?.toString() }),
    (value, path) => {
      let result: bigint;
      if (typeof value === 'bigint') result = value;
      else if (typeof value === 'string' && DECIMAL_INTEGER.test(value)) result = BigInt(value);
      else if (typeof value === 'number' && Number.isSafeInteger(value)) result = BigInt(value);
      else throw new TypeMismatchError(path, expected, value);
      checkBounds(result, options.min, options.max, path, expected);
      return result;
    },
    (value) => value.toString(),
  );
}

function boolean(): Type<boolean> {
  const expected = 'a boolean';
  return makeType(
    expected,
    { type: 'boolean' },
    (value, path) => {
      if (typeof value !== 'boolean') throw new TypeMismatchError(path, expected, value);
      return value;
    },
    (value) => value,
  );
}

function bytes(options: { maxLength?: number } = {}): Type<Uint8Array> {
  const expected = `bytes (a Uint8Array, or base64 text)${options.maxLength === undefined ? '' : ` of at most ${options.maxLength} bytes`}`;
  return makeType(
    expected,
    stripUndefined({ type: 'bytes' as const, maxLength: options.maxLength }),
    (value, path) => {
      const result = value instanceof Uint8Array ? value : typeof value === 'string' ? base64Decode(value) : undefined;
      if (result === undefined) throw new TypeMismatchError(path, expected, value);
      if (options.maxLength !== undefined && result.length > options.maxLength) throw new TypeMismatchError(path, expected, value, `${result.length} bytes`);
      return result;
    },
    (value) => base64Encode(value),
  );
}

function enumOf<const V extends readonly [string, ...string[]]>(...values: V): Type<V[number]> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return makeType(
    expected,
    { type: 'enum', values: [...values] },
    (value, path) => {
      if (typeof value !== 'string' || !values.includes(value)) throw new TypeMismatchError(path, expected, value);
      return value as V[number];
    },
    (value) => value,
  );
}

/** Any value with a canonical JSON form. */
function json(): Type<JsonValue> {
  const expected = 'a JSON value';
  return makeType(
    expected,
    { type: 'json' },
    (value, path) => {
      try {
        canonicalStringify(value);
      } catch (err) {
        throw new TypeMismatchError(path, expected, value, (err as FlexChainError).shortMessage);
      }
      return value as JsonValue;
    },
    (value) => value,
  );
}

/** Return type of a transaction that returns nothing. */
function voidType(): Type<void> {
  const expected = 'nothing (undefined)';
  return makeType(
    expected,
    { type: 'void' },
    (value, path) => {
      if (value !== undefined) throw new TypeMismatchError(path, expected, value);
    },
    () => undefined,
  );
}

/** Accepts undefined (and null, which JSON clients send for a missing value) as undefined. */
function optional<T>(inner: Type<T>): Type<T | undefined> {
  return makeType(
    `${inner.expected}, or nothing`,
    { type: 'optional', of: inner.describe() },
    (value, path) => (value === undefined || value === null ? undefined : inner.check(value, path)),
    (value) => (value === undefined ? undefined : inner.toWire(value)),
    true,
  );
}

function array<T>(item: Type<T>, options: { maxLength?: number } = {}): Type<T[]> {
  const expected = `an array of ${item.expected.replace(/^an? /, '')}${options.maxLength === undefined ? '' : ` with at most ${options.maxLength} items`}`;
  return makeType(
    expected,
    stripUndefined({ type: 'array' as const, of: item.describe(), maxLength: options.maxLength }),
    (value, path) => {
      if (!Array.isArray(value)) throw new TypeMismatchError(path, expected, value);
      if (options.maxLength !== undefined && value.length > options.maxLength) throw new TypeMismatchError(path, expected, value);
      return value.map((v, i) => item.check(v, `${path}[${i}]`));
    },
    (value) => value.map((v) => item.toWire(v) ?? null),
  );
}

type Shape = Record<string, Type<unknown>>;
type ObjectOf<S extends Shape> = { [K in keyof S as S[K]['optional'] extends true ? never : K]: Infer<S[K]> } & {
  [K in keyof S as S[K]['optional'] extends true ? K : never]?: Infer<S[K]>;
};

/** A plain object with exactly these fields; unknown fields are rejected. */
function object<const S extends Shape>(shape: S): Type<{ [K in keyof ObjectOf<S>]: ObjectOf<S>[K] }> {
  const names = Object.keys(shape);
  const expected = `an object {${names.join(', ')}}`;
  const fields = Object.fromEntries(names.map((n) => [n, shape[n]!.describe()]));
  return makeType(
    expected,
    { type: 'object', fields },
    (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
        throw new TypeMismatchError(path, expected, value);
      }
      const input = value as Record<string, unknown>;
      for (const key of Object.keys(input)) {
        if (!(key in shape)) throw new TypeMismatchError(path ? `${path}.${key}` : key, UNKNOWN_FIELD_EXPECTED, input[key], `unknown field; allowed fields: ${names.join(', ')}`);
      }
      const out: Record<string, unknown> = {};
      for (const name of names) {
        const fieldPath = path ? `${path}.${name}` : name;
        const field = shape[name]!;
        if (!(name in input) && !field.optional) throw new TypeMismatchError(fieldPath, field.expected, undefined, 'required field missing');
        const v = field.check(input[name], fieldPath);
        if (v !== undefined) out[name] = v;
      }
      return out as never;
    },
    (value) => {
      const out: Record<string, JsonValue> = {};
      for (const name of names) {
        const v = (value as Record<string, unknown>)[name];
        if (v !== undefined) {
          const wire = shape[name]!.toWire(v);
          if (wire !== undefined) out[name] = wire;
        }
      }
      return out;
    },
  );
}

/** Type constructors for @Submit / @Evaluate parameters and @Returns. */
export const t = {
  string,
  int,
  number,
  bigint,
  boolean,
  bytes,
  enum: enumOf,
  json,
  void: voidType,
  optional,
  array,
  object,
};

/** Rebuilds a runtime type from its metadata, e.g. to decode results on a client. */
export function typeFromDescriptor(d: TypeDescriptor, compilePattern: PatternCompiler = compileRegExp): Type<unknown> {
  switch (d.type) {
    case 'string':
      return string(stripUndefined({ minLength: d.minLength, maxLength: d.maxLength, pattern: d.pattern === undefined ? undefined : compilePattern(d.pattern) }));
    case 'int':
      return int(stripUndefined({ min: d.min, max: d.max }));
    case 'number':
      return number(stripUndefined({ min: d.min, max: d.max }));
    case 'bigint':
      return bigint(stripUndefined({ min: d.min === undefined ? undefined : BigInt(d.min), max: d.max === undefined ? undefined : BigInt(d.max) }));
    case 'boolean':
      return boolean();
    case 'bytes':
      return bytes(stripUndefined({ maxLength: d.maxLength }));
    case 'enum':
      return enumOf(...(d.values as [string, ...string[]]));
    case 'json':
      return json();
    case 'void':
      return voidType();
    case 'optional':
      return optional(typeFromDescriptor(d.of, compilePattern));
    case 'array':
      return array(typeFromDescriptor(d.of, compilePattern), stripUndefined({ maxLength: d.maxLength }));
    case 'object':
      return object(Object.fromEntries(Object.entries(d.fields).map(([k, v]) => [k, typeFromDescriptor(v, compilePattern)])));
  }
}

/**
 * Reads a command-line argument as the declared type: numbers, bigints and
 * booleans from their text, strings as they are, bytes as base64, objects,
 * arrays and JSON values as JSON. The result still goes through check().
 */
export function argumentFromText(d: TypeDescriptor, text: string): unknown {
  switch (d.type) {
    case 'string':
    case 'enum':
    case 'bigint':
    case 'bytes':
      return text;
    case 'int':
    case 'number': {
      // Text that is not a number stays text, so the type check names what was wrong.
      const n = Number(text);
      return text.trim() === '' || !Number.isFinite(n) ? text : n;
    }
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'optional':
      return text === '' ? undefined : argumentFromText(d.of, text);
    default:
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return text;
      }
  }
}
