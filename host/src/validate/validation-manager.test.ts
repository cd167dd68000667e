import fc from 'fast-check';
import { ValidationManager, validateByGraph } from './validation-manager';

describe('ValidationManager', () => {
  it('hands out a transaction only after all its predecessors are complete', () => {
    const m = new ValidationManager({ dependencies: [[], [], [0, 1], [2]] });
    expect([m.next(), m.next(), m.next()]).toEqual([0, 1, undefined]);
    m.complete(1);
    expect(m.next()).toBeUndefined();
    m.complete(0);
    expect(m.next()).toBe(2);
    m.complete(2);
    expect(m.next()).toBe(3);
    expect(m.finished).toBe(false);
    m.complete(3);
    expect(m.finished).toBe(true);
  });

  it('finishes at once for an empty block', () => {
    expect(new ValidationManager({ dependencies: [] }).finished).toBe(true);
  });
});

describe('validateByGraph', () => {
  it('respects every edge and never runs more than tasksMax at once, whatever the finishing order', async () => {
    const graphs = fc.integer({ min: 0, max: 30 }).chain((n) =>
      fc.tuple(
        fc.tuple(...Array.from({ length: n }, (_, i) => fc.uniqueArray(fc.integer({ min: 0, max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : 3 }).map((d) => d.sort((a, b) => a - b)))),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: n, maxLength: n }),
        fc.integer({ min: 1, max: 4 }),
      ),
    );
    await fc.assert(
      fc.asyncProperty(graphs, async ([dependencies, delays, tasksMax]) => {
        const done = new Set<number>();
        let running = 0;
        let peak = 0;
        await validateByGraph({ dependencies }, tasksMax, async (tx) => {
          for (const d of dependencies[tx]!) expect(done.has(d)).toBe(true);
          peak = Math.max(peak, ++running);
          for (let i = 0; i < delays[tx]!; i++) await Promise.resolve();
          running--;
          done.add(tx);
        });
        expect(done.size).toBe(dependencies.length);
        expect(peak).toBeLessThanOrEqual(tasksMax);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects with the first error', async () => {
    await expect(validateByGraph({ dependencies: [[], [0]] }, 2, async (tx) => {
      if (tx === 0) throw new Error('boom');
    })).rejects.toThrow('boom');
  });
});
