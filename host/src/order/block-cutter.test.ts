import { BlockCutter, type Batch } from './block-cutter';

const txsOf = (batches: Batch<string, unknown>[]) => batches.map((b) => b.txs);

const limits = { blockTxCountMax: 3, blockBytesMax: 100, blockTimeoutMs: 50 };

describe('BlockCutter', () => {
  it('cuts at blockTxCountMax', () => {
    const cutter = new BlockCutter<string>(limits);
    expect(txsOf(cutter.ordered('a', 1, 0))).toEqual([]);
    expect(txsOf(cutter.ordered('b', 1, 1))).toEqual([]);
    expect(txsOf(cutter.ordered('c', 1, 2))).toEqual([['a', 'b', 'c']]);
    expect(cutter.pendingCount).toBe(0);
  });

  it('cuts the pending batch first when a transaction would overflow blockBytesMax', () => {
    const cutter = new BlockCutter<string>(limits);
    cutter.ordered('a', 60, 0);
    expect(txsOf(cutter.ordered('b', 50, 1))).toEqual([['a']]);
    expect(txsOf(cutter.ordered('c', 50, 2))).toEqual([['b', 'c']]);
  });

  it('sends an oversized transaction alone', () => {
    const cutter = new BlockCutter<string>(limits);
    cutter.ordered('a', 10, 0);
    expect(txsOf(cutter.ordered('huge', 500, 1))).toEqual([['a'], ['huge']]);
  });

  it('cuts on a tick once the first transaction has waited blockTimeoutMs', () => {
    const cutter = new BlockCutter<string>(limits);
    expect(cutter.tick(100)).toBeUndefined();
    cutter.ordered('a', 1, 100);
    cutter.ordered('b', 1, 140);
    expect(cutter.deadlineMs).toBe(150);
    expect(cutter.tick(149)).toBeUndefined();
    expect(cutter.tick(150)?.txs).toEqual(['a', 'b']);
    expect(cutter.deadlineMs).toBeUndefined();
  });

  it('flushes what is pending', () => {
    const cutter = new BlockCutter<string>(limits);
    expect(cutter.flush()).toBeUndefined();
    cutter.ordered('a', 1, 0);
    expect(cutter.flush()?.txs).toEqual(['a']);
  });

  it('finishes one index per batch, covering exactly its transactions, including on a byte-limit cut', () => {
    const cutter = new BlockCutter<string, string[]>(limits, () => {
      const seen: string[] = [];
      return { add: (tx) => seen.push(tx), finish: () => seen };
    });
    cutter.ordered('a', 60, 0);
    const [first] = cutter.ordered('b', 50, 1);
    expect(first).toEqual({ txs: ['a'], index: ['a'] });
    expect(cutter.ordered('c', 1, 2)).toEqual([]);
    expect(cutter.flush()).toEqual({ txs: ['b', 'c'], index: ['b', 'c'] });
  });
});
