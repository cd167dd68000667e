// Fixture for sandbox tests: a contract that does everything a contract must not.
import { Context, Contract, Evaluate, Returns, Submit, t, utf8Encode } from '@flexchain/sdk';

let counter = 0;
const bag: number[] = [];

export class Hazards extends Contract {
  static override contractName = 'hazards';

  @Evaluate()
  @Returns(t.array(t.number()))
  async random(_ctx: Context) {
    return [Math.random(), Math.random()];
  }

  @Evaluate()
  @Returns(t.object({ now: t.int(), iso: t.string(), asString: t.string(), explicit: t.string() }))
  async clock(_ctx: Context) {
    return { now: Date.now(), iso: new Date().toISOString(), asString: typeof Date(), explicit: new Date(0).toISOString() };
  }

  @Evaluate(['what', t.string()])
  async forbidden(_ctx: Context, what: string) {
    const g = globalThis as Record<string, any>;
    switch (what) {
      case 'WeakRef': return void new g.WeakRef({});
      case 'FinalizationRegistry': return void new g.FinalizationRegistry(() => {});
      case 'SharedArrayBuffer': return void new g.SharedArrayBuffer(8);
      case 'Atomics': return void g.Atomics.add(new Int32Array(4), 0, 1);
      case 'WebAssembly': return void g.WebAssembly.compile(new Uint8Array(8));
      case 'setTimeout': return void g.setTimeout(() => {}, 1);
      case 'eval': return void g.eval('1 + 1');
      case 'Function': return void new g.Function('return 1');
      case 'AsyncFunction': return void Object.getPrototypeOf(async function () {}).constructor('return 1');
    }
  }

  @Evaluate()
  @Returns(t.object({ require: t.string(), process: t.string(), fetch: t.string(), Buffer: t.string() }))
  async nodeGlobals(_ctx: Context) {
    const g = globalThis as Record<string, unknown>;
    return { require: typeof g.require, process: typeof g.process, fetch: typeof g.fetch, Buffer: typeof g.Buffer };
  }

  @Evaluate()
  @Returns(t.object({ counter: t.int(), bag: t.int(), global: t.int() }))
  async leak(_ctx: Context) {
    const g = globalThis as Record<string, number>;
    counter++;
    bag.push(1);
    g.leaked = (g.leaked ?? 0) + 1;
    return { counter, bag: bag.length, global: g.leaked };
  }

  @Evaluate()
  async spin(_ctx: Context) {
    for (;;) {}
  }

  @Evaluate()
  async spinAfterAwait(ctx: Context) {
    await ctx.stub.getState('anything');
    for (;;) {}
  }

  @Evaluate()
  async hog(_ctx: Context) {
    const hoard: string[][] = [];
    for (;;) hoard.push(new Array(100_000).fill('x'.repeat(16)));
  }

  @Evaluate()
  async fail(_ctx: Context) {
    throw new Error('deliberate failure in the contract');
  }

  @Evaluate(['message', t.string()])
  async log(ctx: Context, message: string) {
    console.log('console says', message);
    ctx.logger.warn('logger says', message);
  }

  @Submit(['count', t.int()])
  async writeMany(ctx: Context, count: number) {
    for (let i = 0; i < count; i++) await ctx.stub.putState(`k${i}`, utf8Encode('v'));
  }

  @Evaluate()
  @Returns(t.string())
  async ok(_ctx: Context) {
    return 'still serving';
  }

  @Evaluate()
  async hogAfterAwait(ctx: Context) {
    await ctx.stub.getState('anything');
    const hoard: string[][] = [];
    for (;;) hoard.push(new Array(100_000).fill('x'.repeat(16)));
  }

  @Evaluate()
  @Returns(t.string())
  async readMany(ctx: Context) {
    for (let i = 0; i < 20; i++) await ctx.stub.getState(`k${i}`);
    return 'still serving';
  }
}
