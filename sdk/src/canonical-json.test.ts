import { canonicalStringify, fromJsonBytes, toCanonicalJson } from './canonical-json';
import { utf8Encode } from './bytes';

describe('canonical JSON', () => {
  it('sorts keys at every depth and drops undefined fields', () => {
    expect(canonicalStringify({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives identical bytes regardless of insertion order', () => {
    const one = toCanonicalJson({ x: 1, y: 'é' });
    const two = toCanonicalJson({ y: 'é', x: 1 });
    expect(Buffer.from(one).equals(Buffer.from(two))).toBe(true);
  });

  it.each([
    [{ n: NaN }, /Cannot encode the number NaN at \$\.n/],
    [{ n: 1n }, /Cannot encode bigint 1n at \$\.n .*\n.*String\(value\)/],
    [[1, undefined], /undefined inside an array at \$\[1\]/],
    [{ d: new Date(0) }, /an instance of Date at \$\.d/],
    [{ b: new Uint8Array(1) }, /a Uint8Array at \$\.b/],
  ])('rejects %p with the path of the bad value', (value, message) => {
    expect(() => canonicalStringify(value)).toThrow(message);
  });

  it('rejects cycles', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalStringify(a)).toThrow(/circular reference at \$\.self/);
  });

  it('reports bytes that are not JSON', () => {
    expect(() => fromJsonBytes(utf8Encode('not json'))).toThrow(/Value is not valid JSON/);
  });
});
