// Fixture for `flexchain check`: every hazard once, plus look-alikes that are fine.
import { readFileSync } from 'fs';
import * as net from 'node:net';
import { Context, Contract, Submit, t, toCanonicalJson } from '@flexchain/sdk';
const crypto = require('crypto');

let counter = 0;
const cache = new Map<string, string>();
const LIMITS = { max: 10 } as const;
const FROZEN = Object.freeze({ a: 1 });

export class Hazards extends Contract {
  private lastCaller = '';
  private readonly label = 'ok';

  @Submit(['id', t.string()])
  async everything(ctx: Context, id: string): Promise<void> {
    const r = Math.random();
    const now = Date.now();
    const d = new Date();
    const fixed = new Date(0);
    setTimeout(() => {}, 10);
    const ref = new WeakRef({});
    const registry = new FinalizationRegistry(() => {});
    const shared = new SharedArrayBuffer(8);
    Atomics.add(new Int32Array(shared), 0, 1);
    eval('1 + 1');
    const f = new Function('return 1');
    const env = process.env.HOME;
    const fmt = new Intl.NumberFormat('de-DE').format(1);
    const s = (1234.5).toLocaleString();
    const cmp = 'a'.localeCompare('b');
    this.lastCaller = id;
    counter++;
    cache.set(id, id);
    await ctx.stub.putJSON('ratio', { value: now / 3 });
    const average = counter / 2;
    await ctx.stub.putState('avg', toCanonicalJson(average));
    await ctx.stub.putJSON('price', 9.99);
    await ctx.stub.putJSON('rounded', Math.round(now / 3));
    await ctx.stub.putJSON('scaled', [1, 2].map((x) => Math.floor(x / 2)));
    void [r, d, fixed, ref, registry, f, env, fmt, s, cmp, readFileSync, net, crypto, LIMITS, FROZEN, this.label];
  }

  @Submit()
  async shadowed(ctx: Context): Promise<void> {
    const Math = { random: () => 4 };
    const Date = { now: () => 0 };
    await ctx.stub.putJSON('x', Math.random() + Date.now());
  }
}
