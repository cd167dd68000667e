import fc from 'fast-check';
import { compareUtf8 } from '@flexchain/sdk';
import { SortedKeySet } from './sorted-key-set';

describe('SortedKeySet', () => {
  it('behaves like a sorted array under adds, deletes and range queries', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('add', 'delete', 'range'), fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 })), { maxLength: 3000 }),
        (ops) => {
          const set = new SortedKeySet();
          const model = new Set<string>();
          for (const [op, a, b] of ops) {
            if (op === 'add') expect(set.add(a)).toBe(!model.has(a)), model.add(a);
            else if (op === 'delete') expect(set.delete(a)).toBe(model.has(a)), model.delete(a);
            else {
              const [lo, hi] = compareUtf8(a, b) <= 0 ? [a, b] : [b, a];
              const expected = [...model].filter((k) => compareUtf8(k, lo) >= 0 && (hi === '' || compareUtf8(k, hi) < 0)).sort(compareUtf8);
              expect(set.range(lo, hi)).toEqual(expected);
            }
          }
          expect(set.size).toBe(model.size);
          expect(set.range('', '')).toEqual([...model].sort(compareUtf8));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('stays ordered across many chunk splits', () => {
    const set = new SortedKeySet();
    const keys = Array.from({ length: 5000 }, (_, i) => `k${(i * 7919) % 5000}`);
    for (const k of keys) set.add(k);
    expect(set.range('', '')).toEqual([...new Set(keys)].sort(compareUtf8));
    expect(set.range('k100', 'k1001', 3)).toEqual(['k100', 'k1000']);
  });
});
