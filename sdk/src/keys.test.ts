import { assertValidKey, createCompositeKey, isCompositeKey, partialCompositeKeyRange, splitCompositeKey, keyInRange } from './keys';
import { DEFAULT_STUB_LIMITS } from './limits';

describe('keys', () => {
  it('builds composite keys in Fabric layout and splits them back', () => {
    const key = createCompositeKey('owner~asset', ['alice', 'a1']);
    expect(key).toBe('\u0000owner~asset\u0000alice\u0000a1\u0000');
    expect(isCompositeKey(key)).toBe(true);
    expect(splitCompositeKey(key)).toEqual({ objectType: 'owner~asset', attributes: ['alice', 'a1'] });
    expect(splitCompositeKey(createCompositeKey('t', []))).toEqual({ objectType: 't', attributes: [] });
  });

  it('bounds a partial composite key range exactly to its prefix', () => {
    const { startKey, endKey } = partialCompositeKeyRange('t', ['a']);
    expect(keyInRange(createCompositeKey('t', ['a', 'zzz']), startKey, endKey)).toBe(true);
    expect(keyInRange(createCompositeKey('t', ['a\u{10FFFF}']), startKey, endKey)).toBe(false);
    expect(keyInRange(createCompositeKey('t', ['ab']), startKey, endKey)).toBe(false);
    expect(keyInRange(createCompositeKey('t', ['a']), startKey, endKey)).toBe(true);
  });

  it('rejects bad composite parts', () => {
    expect(() => createCompositeKey('', ['a'])).toThrow('Composite key objectType must not be empty.');
    expect(() => createCompositeKey('t', ['ok', 'b\u0000d'])).toThrow(/attributes\[1\] "b\\u0000d" contains U\+0000/);
    expect(() => splitCompositeKey('plain')).toThrow(/is not a composite key/);
  });

  it('enforces key rules with named errors', () => {
    const limits = DEFAULT_STUB_LIMITS;
    expect(() => assertValidKey('', limits)).toThrow(expect.objectContaining({ name: 'KeyInvalidError' }));
    expect(() => assertValidKey(42, limits)).toThrow('Key must be a string, got number.');
    expect(() => assertValidKey('a\uD800', limits)).toThrow(/lone surrogate/);
    expect(() => assertValidKey('é'.repeat(513), limits)).toThrow('Key of 1026 bytes exceeds keyBytesMax (1024 bytes).');
    expect(() => assertValidKey('\u0000x', limits)).toThrow(/reserved prefix/);
    expect(() => assertValidKey(createCompositeKey('t', ['a']), limits)).not.toThrow();
  });
});
