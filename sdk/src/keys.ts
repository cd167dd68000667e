// Key rules and composite keys.
//
// Keys are strings ordered by their UTF-8 bytes. The prefix U+0000 is reserved
// for composite keys: a key starting with it must be one createCompositeKey made.
// Composite key layout (same as Fabric, so tooling carries over):
//   U+0000 objectType U+0000 (attribute U+0000)*

import { compareUtf8, isWellFormedUnicode, utf8ByteLength } from './bytes';
import { CompositeKeyInvalidError, KeyInvalidError, RangeQueryInvalidError } from './errors';
import type { StubLimits } from './limits';

export const COMPOSITE_KEY_NAMESPACE = '\u0000';
const COMPOSITE_SEPARATOR = '\u0000';
/** Smallest simple key: every key not in the composite namespace is >= this. */
export const SIMPLE_KEY_MIN = '\u0001';

/** Throws KeyInvalidError unless `key` may be read or written by a contract. */
export function assertValidKey(key: unknown, limits: Pick<StubLimits, 'keyBytesMax'>): asserts key is string {
  if (typeof key !== 'string') {
    throw new KeyInvalidError(`Key must be a string, got ${typeof key}.`, { hint: 'Build keys with template strings or createCompositeKey.' });
  }
  if (key.length === 0) throw new KeyInvalidError('Key must not be empty.', { hint: 'Use a non-empty string such as "asset1".' });
  if (!isWellFormedUnicode(key)) {
    throw new KeyInvalidError(`Key ${JSON.stringify(key)} contains a lone surrogate and is not valid UTF-8.`, {
      hint: 'Keys must be valid Unicode text; hex- or base64-encode binary identifiers.',
    });
  }
  const bytes = utf8ByteLength(key);
  if (bytes > limits.keyBytesMax) {
    throw new KeyInvalidError(`Key of ${bytes} bytes exceeds keyBytesMax (${limits.keyBytesMax} bytes).`, {
      details: `Key starts with ${JSON.stringify(key.slice(0, 32))}.`,
      hint: 'Shorten the key, e.g. store a hash of a long identifier.',
    });
  }
  if (key.startsWith(COMPOSITE_KEY_NAMESPACE) && !isCompositeKey(key)) {
    throw new KeyInvalidError(`Key ${JSON.stringify(key)} starts with the reserved prefix U+0000 but is not a composite key.`, {
      hint: 'Only keys made by createCompositeKey may start with U+0000.',
    });
  }
}

/** Throws unless `key` is a simple (non-composite) key; used for range bounds. */
export function assertSimpleRangeBound(bound: unknown, which: 'startKey' | 'endKey', limits: Pick<StubLimits, 'keyBytesMax'>): asserts bound is string {
  if (typeof bound !== 'string') throw new RangeQueryInvalidError(`Range ${which} must be a string, got ${typeof bound}.`);
  if (bound === '') return;
  if (bound.startsWith(COMPOSITE_KEY_NAMESPACE)) {
    throw new RangeQueryInvalidError(`Range ${which} ${JSON.stringify(bound)} is a composite key.`, {
      hint: 'Query composite keys with getStateByPartialCompositeKey.',
    });
  }
  assertValidKey(bound, limits);
}

export function createCompositeKey(objectType: string, attributes: readonly string[]): string {
  validateCompositePart(objectType, 'objectType', true);
  if (!Array.isArray(attributes)) throw new CompositeKeyInvalidError('Composite key attributes must be an array of strings.');
  attributes.forEach((attribute, i) => validateCompositePart(attribute, `attributes[${i}]`, false));
  let key = COMPOSITE_KEY_NAMESPACE + objectType + COMPOSITE_SEPARATOR;
  for (const attribute of attributes) key += attribute + COMPOSITE_SEPARATOR;
  return key;
}

export function splitCompositeKey(key: string): { objectType: string; attributes: string[] } {
  if (!isCompositeKey(key)) {
    throw new CompositeKeyInvalidError(`Key ${JSON.stringify(key)} is not a composite key.`, { hint: 'Only split keys made by createCompositeKey.' });
  }
  const parts = key.slice(1, -1).split(COMPOSITE_SEPARATOR);
  const [objectType, ...attributes] = parts;
  return { objectType: objectType!, attributes };
}

export function isCompositeKey(key: string): boolean {
  return key.length >= 3 && key.startsWith(COMPOSITE_KEY_NAMESPACE) && key.endsWith(COMPOSITE_SEPARATOR) && key[1] !== COMPOSITE_SEPARATOR;
}

/**
 * The range [startKey, endKey) holding exactly the composite keys with this prefix.
 * The prefix ends in U+0000, so raising that last character to U+0001 bounds it tightly.
 */
export function partialCompositeKeyRange(objectType: string, attributes: readonly string[]): { startKey: string; endKey: string } {
  const startKey = createCompositeKey(objectType, attributes);
  return { startKey, endKey: startKey.slice(0, -1) + '\u0001' };
}

/** The smallest key greater than `key` in UTF-8 byte order. */
export function keySuccessor(key: string): string {
  return key + '\u0000';
}

/** True when `key` lies in [startKey, endKey); an empty endKey means no upper bound. */
export function keyInRange(key: string, startKey: string, endKey: string): boolean {
  return compareUtf8(key, startKey) >= 0 && (endKey === '' || compareUtf8(key, endKey) < 0);
}

function validateCompositePart(part: unknown, label: string, nonEmpty: boolean): void {
  if (typeof part !== 'string') throw new CompositeKeyInvalidError(`Composite key ${label} must be a string, got ${typeof part}.`);
  if (nonEmpty && part.length === 0) throw new CompositeKeyInvalidError(`Composite key ${label} must not be empty.`);
  if (part.includes(COMPOSITE_SEPARATOR)) {
    throw new CompositeKeyInvalidError(`Composite key ${label} ${JSON.stringify(part)} contains U+0000, the separator.`, {
      hint: 'Remove U+0000 from composite key parts.',
    });
  }
  if (!isWellFormedUnicode(part)) throw new CompositeKeyInvalidError(`Composite key ${label} is not valid Unicode (lone surrogate).`);
}
