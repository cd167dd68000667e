// Rules for a package's metadata, which a client trusts to decode results.
//
// Metadata comes from whoever installed the package, so it is checked where it
// enters (at build and at install) and handled defensively where it is used:
// - every type descriptor is well-formed and at most METADATA_TYPE_DEPTH_MAX deep;
// - every string pattern is at most PATTERN_CHARS_MAX long and is valid RE2
//   syntax (no backreferences or lookaround), so it has a linear-time matcher;
// - clients match patterns with RE2 (re2js), never with a backtracking engine,
//   so a pattern such as ^(a+)+$ cannot hang a client.
// Inside the sandbox and the mock, the SDK matches with RegExp; for RE2 syntax
// both engines agree.

import { RE2JS } from 're2js';
import type { PatternMatcher, TypeDescriptor } from '../arg-types';
import { isValidContractName, type ContractMetadata } from '../definition';
import { FlexChainError } from '../errors';

/** Longest string pattern in metadata, in characters. */
export const PATTERN_CHARS_MAX = 512;
/** Deepest nesting of types (objects, arrays, optionals) in metadata. */
export const METADATA_TYPE_DEPTH_MAX = 16;
/** Most transactions one contract may declare. */
export const METADATA_TRANSACTIONS_MAX = 1000;

export class MetadataInvalidError extends FlexChainError {
  override name = 'MetadataInvalidError';
}

/** Compiled patterns by source: a client decodes many results of the same types. */
const compiled = new Map<string, PatternMatcher>();
/** Most compiled patterns kept; metadata is bounded, so this is only a guard. */
const COMPILED_PATTERNS_MAX = 1024;

/** A linear-time matcher for `source` (RE2 semantics), or MetadataInvalidError. */
export function linearPattern(source: string): PatternMatcher {
  const known = compiled.get(source);
  if (known) return known;
  const matcher = compilePattern(source);
  if (compiled.size >= COMPILED_PATTERNS_MAX) compiled.clear();
  compiled.set(source, matcher);
  return matcher;
}

function compilePattern(source: string): PatternMatcher {
  let re: RE2JS;
  try {
    if (source.length > PATTERN_CHARS_MAX) throw new Error(`longer than ${PATTERN_CHARS_MAX} characters`);
    re = RE2JS.compile(source);
  } catch (err) {
    throw new MetadataInvalidError(`Pattern ${JSON.stringify(source.slice(0, 64))} cannot be used: ${(err as Error).message}.`, {
      hint: 'Use plain regular expressions without backreferences or lookaround, so that every engine matches them in linear time.',
    });
  }
  return { source, test: (text) => re.test(text) };
}

/** Throws MetadataInvalidError naming what is wrong; `name` is the package's contract name. */
export function assertMetadataValid(metadata: unknown, name: string): asserts metadata is ContractMetadata {
  const m = objectOf(metadata, 'metadata');
  if (!isValidContractName(m.name) || m.name !== name) fail(`metadata.name must be the package's contract name ${JSON.stringify(name)}`);
  if (!Array.isArray(m.transactions) || m.transactions.length > METADATA_TRANSACTIONS_MAX) fail(`metadata.transactions must be an array of at most ${METADATA_TRANSACTIONS_MAX}`);
  (m.transactions as unknown[]).forEach((t, i) => {
    const tx = objectOf(t, `metadata.transactions[${i}]`);
    if (typeof tx.name !== 'string' || tx.name.length === 0 || tx.name.length > 128) fail(`metadata.transactions[${i}].name must be a string of 1 to 128 characters`);
    if (tx.kind !== 'submit' && tx.kind !== 'evaluate') fail(`metadata.transactions[${i}].kind must be "submit" or "evaluate"`);
    if (!Array.isArray(tx.params)) fail(`metadata.transactions[${i}].params must be an array`);
    (tx.params as unknown[]).forEach((p, j) => {
      const param = objectOf(p, `metadata.transactions[${i}].params[${j}]`);
      if (typeof param.name !== 'string') fail(`metadata.transactions[${i}].params[${j}].name must be a string`);
      assertDescriptor(param.type, `metadata.transactions[${i}].params[${j}].type`, 0);
    });
    if (tx.returns !== undefined) assertDescriptor(tx.returns, `metadata.transactions[${i}].returns`, 0);
  });
}

function assertDescriptor(value: unknown, what: string, depth: number): asserts value is TypeDescriptor {
  if (depth > METADATA_TYPE_DEPTH_MAX) fail(`${what} nests deeper than ${METADATA_TYPE_DEPTH_MAX}`);
  const d = objectOf(value, what);
  const optionalNumber = (field: string) => {
    if (d[field] !== undefined && typeof d[field] !== 'number') fail(`${what}.${field} must be a number`);
  };
  switch (d.type) {
    case 'string':
      optionalNumber('minLength');
      optionalNumber('maxLength');
      if (d.pattern !== undefined) {
        if (typeof d.pattern !== 'string') fail(`${what}.pattern must be a string`);
        linearPattern(d.pattern as string);
      }
      return;
    case 'int':
    case 'number':
      optionalNumber('min');
      optionalNumber('max');
      return;
    case 'bigint':
      for (const field of ['min', 'max']) if (d[field] !== undefined && !(typeof d[field] === 'string' && /^-?\d{1,100}$/.test(d[field] as string))) fail(`${what}.${field} must be an integer as text`);
      return;
    case 'bytes':
      optionalNumber('maxLength');
      return;
    case 'enum':
      if (!Array.isArray(d.values) || d.values.length === 0 || !d.values.every((v) => typeof v === 'string')) fail(`${what}.values must be a non-empty array of strings`);
      return;
    case 'boolean':
    case 'json':
    case 'void':
      return;
    case 'optional':
      return assertDescriptor(d.of, `${what}.of`, depth + 1);
    case 'array':
      optionalNumber('maxLength');
      return assertDescriptor(d.of, `${what}.of`, depth + 1);
    case 'object': {
      const fields = objectOf(d.fields, `${what}.fields`);
      for (const [key, field] of Object.entries(fields)) assertDescriptor(field, `${what}.fields.${key}`, depth + 1);
      return;
    }
    default:
      fail(`${what}.type ${JSON.stringify(String(d.type)).slice(0, 40)} is not a known type`);
  }
}

function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function fail(what: string): never {
  throw new MetadataInvalidError(`The contract metadata is invalid: ${what}.`, { hint: 'Build the package with `flexchain build`.' });
}
