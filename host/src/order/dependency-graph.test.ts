import fc from 'fast-check';
import { keyInRange } from '@flexchain/sdk';
import { graphDefect, graphHashOf } from '@flexchain/sdk/protocol';
import { dependencyGraphOf, type TxAccess } from './dependency-graph';

const tx = (reads: string[], writes: string[], ranges: [string, string][] = []): TxAccess => ({ reads, writes, ranges: ranges.map(([startKey, endKey]) => ({ startKey, endKey })) });

/** Brute force: do i (earlier) and j (later) conflict? */
function conflict(a: TxAccess, b: TxAccess): boolean {
  const reads = (t: TxAccess, key: string) => t.reads.includes(key) || t.ranges.some((r) => keyInRange(key, r.startKey, r.endKey));
  return a.writes.some((k) => reads(b, k) || b.writes.includes(k)) || b.writes.some((k) => reads(a, k));
}

function reachable(deps: readonly (readonly number[])[], from: number, to: number): boolean {
  const stack = [to];
  const seen = new Set<number>();
  while (stack.length) {
    const n = stack.pop()!;
    if (n === from) return true;
    for (const d of deps[n]!) if (d >= from && !seen.has(d)) seen.add(d), stack.push(d);
  }
  return false;
}

describe('dependency graph', () => {
  it('has write->read, read->write and write->write edges, earlier to later', () => {
    const g = dependencyGraphOf([tx([], ['a']), tx(['a'], []), tx([], ['a']), tx(['b'], ['c']), tx([], ['b'])]);
    expect(g.dependencies).toEqual([[], [0], [0, 1], [], [3]]);
  });

  it('treats a range query as a read of its whole range, in both directions', () => {
    const g = dependencyGraphOf([tx([], ['k2']), tx([], [], [['k1', 'k5']]), tx([], ['k3']), tx([], ['k9']), tx([], ['k4'])]);
    expect(g.dependencies).toEqual([[], [0], [1], [], [1]]);
  });

  it('never makes a transaction depend on itself, and gives undecodable transactions no edges', () => {
    const g = dependencyGraphOf([tx(['a'], ['a']), undefined, tx(['a'], ['a'])]);
    expect(g.dependencies).toEqual([[], [], [0]]);
  });

  it('orders every conflicting pair (checked against all pairs) and only points backwards', () => {
    const key = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    const access = fc.record({
      reads: fc.uniqueArray(key, { maxLength: 3 }),
      writes: fc.uniqueArray(key, { maxLength: 3 }),
      ranges: fc.array(fc.tuple(key, fc.constantFrom('c', 'e', 'g', '')).map(([startKey, endKey]) => ({ startKey, endKey })), { maxLength: 1 }),
    });
    fc.assert(
      fc.property(fc.array(access, { maxLength: 25 }), (block) => {
        const { dependencies } = dependencyGraphOf(block);
        expect(graphDefect({ dependencies }, block.length, graphHashOf({ dependencies }))).toBeUndefined();
        for (let j = 0; j < block.length; j++) {
          for (let i = 0; i < j; i++) if (conflict(block[i]!, block[j]!)) expect(reachable(dependencies, i, j)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('graphDefect', () => {
  const good = { dependencies: [[], [0], [0, 1]] };
  it('accepts a well-formed graph that matches the header', () => {
    expect(graphDefect(good, 3, graphHashOf(good))).toBeUndefined();
  });
  it.each([
    ['missing', undefined, 3, 'no dependency graph'],
    ['the wrong length', good, 4, 'covers 3 transactions'],
    ['a forward edge', { dependencies: [[], [1], []] }, 3, 'earlier transactions'],
    ['unsorted edges', { dependencies: [[], [0], [1, 0]] }, 3, 'ascending'],
    ['a hash mismatch', { dependencies: [[], [], []] }, 3, 'graphHash'],
  ])('rejects a graph that is %s', (_what, graph, count, message) => {
    expect(graphDefect(graph, count, graphHashOf(good))).toContain(message);
  });
});

describe('dependency graph at the scale a contract can force', () => {
  it('joins 20,000 range reads with 20,000 writes without testing every pair', () => {
    // A pairwise test of every write against every range (the old builder) takes minutes at this size.
    const ranges: [string, string][] = Array.from({ length: 20_000 }, (_, i) => [`r${String(i).padStart(6, '0')}`, `r${String(i).padStart(6, '0')}~`]);
    const writes = Array.from({ length: 20_000 }, (_, i) => `w${i}`);
    const g = dependencyGraphOf([tx([], [], ranges), tx([], writes), tx([], ['r000123x'])]);
    expect(g.dependencies).toEqual([[], [], [0]]);
  });
});
