import fc from 'fast-check';
import { SpaceManager } from './space-manager';

const limits = { slabBytes: 4096, memoryBudgetBytes: 4 * 4096, allocationBytesMin: 64 };

describe('SpaceManager', () => {
  it('grows slab by slab up to the budget, then refuses', () => {
    const space = new SpaceManager(limits);
    const slabs: number[] = [];
    const addresses = Array.from({ length: 16 }, () => space.allocate(1000, (s) => slabs.push(s)));
    expect(addresses.every((a) => a !== undefined)).toBe(true);
    expect(slabs).toEqual([0, 1, 2, 3]);
    expect(space.allocate(1000, () => undefined)).toBeUndefined();
    expect(space.usedBytes).toBe(16 * 1024);
    expect(space.freeBytes).toBe(0);
  });

  it('reuses freed buffers of the same size class', () => {
    const space = new SpaceManager(limits);
    const a = space.allocate(100, () => undefined)!;
    space.free(a, 100);
    expect(space.allocate(97, () => undefined)).toBe(a);
    expect([64, 65, 129, 1060, 1281].map((b) => space.classOf(b))).toEqual([64, 80, 160, 1280, 1536]);
  });

  it('never hands out overlapping buffers and never crosses a slab boundary', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 2000 })), { maxLength: 200 }), (ops) => {
        const space = new SpaceManager(limits);
        const live = new Map<number, number>();
        for (const [allocate, bytes] of ops) {
          if (allocate || live.size === 0) {
            const address = space.allocate(bytes, () => undefined);
            if (address === undefined) continue;
            const size = space.classOf(bytes);
            expect(Math.floor(address / 4096)).toBe(Math.floor((address + size - 1) / 4096));
            for (const [other, otherSize] of live) expect(address + size <= other || other + otherSize <= address).toBe(true);
            live.set(address, size);
          } else {
            const [address, size] = [...live][0]!;
            live.delete(address);
            space.free(address, size);
          }
        }
        expect(space.usedBytes).toBe([...live.values()].reduce((a, b) => a + b, 0));
      }),
    );
  });

  it('explains impossible settings', () => {
    expect(() => new SpaceManager({ ...limits, memoryBudgetBytes: 5000 })).toThrow(/must be a positive multiple of slabBytes/);
    expect(() => new SpaceManager(limits).allocate(5000, () => undefined)).toThrow(/does not fit in a 4096-byte slab/);
  });
});
