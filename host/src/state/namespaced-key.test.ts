// The state key layout "<contract> U+0000 <key>" must be injective over valid
// contract names and keys: no name/key pair may alias another, and no
// contract's range may reach into another's namespace (finding: a package named
// "vault\u0000" read and overwrote vault's composite keys).

import fc from 'fast-check';
import { compareUtf8, createCompositeKey, isValidContractName, keyInRange } from '@flexchain/sdk';
import { parsePackage, PACKAGE_FORMAT } from '../sandbox/contract-package';
import { namespacedKey, namespacedRange } from './tiered-world-state';

const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,8}$/);
const key = fc.oneof(
  fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'b', '\u0000', '\u0001', 'é', '😀') }),
  fc.tuple(fc.constantFrom('t', 'u'), fc.array(fc.constantFrom('x', 'y', ''), { maxLength: 3 })).map(([t, attrs]) => createCompositeKey(t, attrs)),
);

describe('namespaced state keys', () => {
  it('never alias: distinct (contract, key) pairs have distinct encodings', () => {
    fc.assert(
      fc.property(name, key, name, key, (c1, k1, c2, k2) => {
        fc.pre(c1 !== c2 || k1 !== k2);
        expect(namespacedKey(c1, k1)).not.toBe(namespacedKey(c2, k2));
      }),
      { numRuns: 2000 },
    );
  });

  it("keep every key of one contract out of another contract's full range", () => {
    fc.assert(
      fc.property(name, name, key, (c1, c2, k) => {
        fc.pre(c1 !== c2);
        const { startKey, endKey } = namespacedRange(c1, '', '');
        expect(keyInRange(namespacedKey(c2, k), startKey, endKey)).toBe(false);
        expect(keyInRange(namespacedKey(c1, k), startKey, endKey)).toBe(true);
        expect(compareUtf8(startKey, endKey)).toBeLessThan(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses, at install, a package whose name is outside the grammar', () => {
    const pkg = (n: string) => JSON.stringify({ format: PACKAGE_FORMAT, name: n, metadata: { name: n, transactions: [] }, code: '', sourceMap: '' });
    for (const bad of ['vault\u0000', '', '_lifecycle', 'a b', 'x'.repeat(65), '1abc']) {
      expect(isValidContractName(bad)).toBe(false);
      expect(() => parsePackage(pkg(bad), 'the package')).toThrow(/not a valid contract name/);
    }
    expect(parsePackage(pkg('vault'), 'the package').name).toBe('vault');
  });
});
