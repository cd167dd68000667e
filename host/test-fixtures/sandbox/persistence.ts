// Fixture for sandbox tests: a contract that tries every way of leaving state
// for the next transaction in its realm. Each method returns what it found, so
// a test can run it twice and see that the second run found nothing.
import { Context, Contract, Evaluate, Returns, Submit, t } from '@flexchain/sdk';

let moduleCounter = 0;
const moduleMap = new Map<string, number>();
const closureCounter = (() => {
  let n = 0;
  return () => ++n;
})();

const attempt = (change: () => void): string => {
  try {
    change();
    return 'changed';
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
};

export class Persistence extends Contract {
  static override contractName = 'persistence';
  static calls = 0;
  instanceCalls = 0;

  @Evaluate()
  @Returns(t.object({ module: t.int(), map: t.int(), closure: t.int(), statics: t.int(), instance: t.int(), global: t.int() }))
  async counters(_ctx: Context) {
    const g = globalThis as Record<string, number>;
    moduleMap.set('n', (moduleMap.get('n') ?? 0) + 1);
    Persistence.calls++;
    this.instanceCalls++;
    g.leaked = (g.leaked ?? 0) + 1;
    return { module: ++moduleCounter, map: moduleMap.get('n')!, closure: closureCounter(), statics: Persistence.calls, instance: this.instanceCalls, global: g.leaked };
  }

  /** Tries to change what every transaction shares; each entry is "changed" or the error it got. */
  @Evaluate()
  @Returns(t.json())
  async mutateShared(_ctx: Context) {
    const any = (x: unknown) => x as Record<string, unknown>;
    return {
      arrayPrototype: attempt(() => (any(Array.prototype).leak = 1)),
      objectPrototype: attempt(() => (any(Object.prototype).leak = 1)),
      mathMethod: attempt(() => (any(Math).max = () => 0)),
      jsonParse: attempt(() => (any(JSON).parse = () => 0)),
      globalMath: attempt(() => (any(globalThis).Math = {})),
      realGlobal: attempt(() => (any(Object.getPrototypeOf(globalThis)).leak = 1)),
      sdkClass: attempt(() => (any(Contract.prototype).leak = 1)),
      sdkTypes: attempt(() => (any(t).string = () => 0)),
      sharedRegistry: attempt(() => Submit()(Array.prototype.push as never, { kind: 'method', name: 'push', static: false, private: false } as never)),
    };
  }

  /** Changes a shared prototype without catching the error. */
  @Evaluate()
  async pollute(_ctx: Context) {
    (Array.prototype as unknown as Record<string, unknown>).leak = 1;
  }

  /** Sets Error.stackTraceLimit, which ses makes a setter that ignores the value. */
  @Evaluate()
  async setStackTraceLimit(_ctx: Context) {
    (Error as unknown as Record<string, unknown>).stackTraceLimit = 1;
  }

  /** What the previous probes could have changed, as this transaction sees it. */
  @Evaluate()
  @Returns(t.object({ arrayPrototype: t.string(), objectPrototype: t.string(), realGlobal: t.string(), maxWorks: t.boolean(), stackTraceLimit: t.string(), sdkTypes: t.string() }))
  async observeShared(_ctx: Context) {
    const any = (x: unknown) => x as Record<string, unknown>;
    return {
      arrayPrototype: typeof any(Array.prototype).leak,
      objectPrototype: typeof any(Object.prototype).leak,
      realGlobal: typeof any(Object.getPrototypeOf(globalThis)).leak,
      maxWorks: Math.max(1, 2) === 2,
      stackTraceLimit: String(any(Error).stackTraceLimit),
      sdkTypes: typeof t.string({}).check,
    };
  }

  /** Leaves a continuation waiting on a read, and one chain of promise jobs, after it returns. */
  @Evaluate()
  @Returns(t.string())
  async leaveBehind(ctx: Context) {
    void (async () => {
      await ctx.stub.getState('late');
      console.log('late continuation ran');
    })();
    return 'returned';
  }

  /** Queues promise jobs that log and spin, then spins itself until it is cut off. */
  @Evaluate()
  async spinWithQueuedJobs(_ctx: Context) {
    for (let i = 0; i < 3; i++) {
      void Promise.resolve().then(() => {
        console.log('queued job ran');
        for (;;) {}
      });
    }
    for (;;) {}
  }

  /** Math.random and Date.now after a read: what the transaction's own seed and timestamp give. */
  @Evaluate()
  @Returns(t.object({ random: t.number(), now: t.int() }))
  async randomAfterRead(ctx: Context) {
    await ctx.stub.getState('anything');
    return { random: Math.random(), now: Date.now() };
  }

  @Evaluate()
  @Returns(t.string())
  async ok(_ctx: Context) {
    return 'still serving';
  }
}
