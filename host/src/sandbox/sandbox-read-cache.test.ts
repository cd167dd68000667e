import { readCacheKey, SandboxReadCache } from './sandbox-read-cache';

describe('a sandbox process read cache', () => {
  const value = (text: string, txNum = 0) => ({ value: new TextEncoder().encode(text), version: { blockNum: 1, txNum } });

  it('answers a key read before, absent keys included, per contract namespace', () => {
    const cache = new SandboxReadCache(1 << 20);
    cache.fill('bank', 'a', value('1'), 0);
    cache.fill('bank', 'gone', undefined, 0);
    expect(cache.lookup('bank', 'a')?.value?.version).toEqual({ blockNum: 1, txNum: 0 });
    expect(cache.lookup('bank', 'gone')).toEqual({ value: undefined });
    expect(cache.lookup('other', 'a')).toBeUndefined();
    expect(cache.lookup('bank', 'b')).toBeUndefined();
  });

  it('forgets the keys a committed block wrote, and only those', () => {
    const cache = new SandboxReadCache(1 << 20);
    cache.fill('bank', 'a', value('1'), 0);
    cache.fill('bank', 'b', value('2'), 0);
    cache.invalidate([readCacheKey('bank', 'a')]);
    expect(cache.lookup('bank', 'a')).toBeUndefined();
    expect(cache.lookup('bank', 'b')).toBeDefined();
  });

  it('does not keep a reply whose read was under way when a block committed', () => {
    const cache = new SandboxReadCache(1 << 20);
    // The cNode began the read having sent no invalidation; one arrives before the reply.
    cache.invalidate([readCacheKey('bank', 'unrelated')]);
    cache.fill('bank', 'a', value('stale'), 0);
    expect(cache.lookup('bank', 'a')).toBeUndefined();
    // A read begun after that invalidation is kept.
    cache.fill('bank', 'a', value('fresh', 1), 1);
    expect(cache.lookup('bank', 'a')?.value?.version.txNum).toBe(1);
  });

  it('stays within its byte bound, dropping the least recently used reads', () => {
    const cache = new SandboxReadCache(3 * (2 * readCacheKey('bank', 'k1').length + 1000 + 100));
    for (const key of ['k1', 'k2', 'k3']) cache.fill('bank', key, value('x'.repeat(1000)), 0);
    expect(cache.lookup('bank', 'k1')).toBeDefined();
    cache.fill('bank', 'k4', value('x'.repeat(1000)), 0);
    expect(cache.lookup('bank', 'k2')).toBeUndefined();
    expect(cache.lookup('bank', 'k1')).toBeDefined();
    expect(cache.lookup('bank', 'k4')).toBeDefined();
    // Larger than the whole cache: served, never kept.
    cache.fill('bank', 'huge', value('x'.repeat(10_000)), 0);
    expect(cache.lookup('bank', 'huge')).toBeUndefined();
  });
});
