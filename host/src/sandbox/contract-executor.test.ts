import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fromJsonBytes, type LogLevel } from '@flexchain/sdk';
import { MemoryVersionedStore } from '@flexchain/sdk/testing';
import { newProposal, type Proposal } from '@flexchain/sdk/protocol';
import { resolveHostConfig } from '../config';
import { ContractExecutor } from './contract-executor';
import { buildPackage } from './packager';
import type { ContractPackage } from './contract-package';

const identity = { mspId: 'Org1MSP', id: 'client', role: 'client' };
const TIMESTAMP = { seconds: 1_900_000_000, nanos: 250_000_000 };

function proposal(fn: string, args: unknown[] = [], nonce?: string): Proposal {
  return newProposal({ channelId: 'test', contract: 'hazards', fn, args: args as never, creator: { mspId: 'Org1MSP', id: 'client' }, timestamp: TIMESTAMP, ...(nonce ? { nonce } : {}) });
}

describe('ContractExecutor (isolated-vm sandbox)', () => {
  let pkg: ContractPackage;
  let executor: ContractExecutor;
  const logs: [LogLevel, string, string][] = [];
  const store = new MemoryVersionedStore();
  const state = { get: (k: string) => store.get(k), rangePage: async (s: string, e: string, n: number) => store.scan(s, e).slice(0, n) };
  const run = async (fn: string, args: unknown[] = [], nonce?: string) => {
    const result = await executor.simulate(proposal(fn, args, nonce), identity, state);
    return result.payload.length ? fromJsonBytes(result.payload) : undefined;
  };

  beforeAll(async () => {
    const built = await buildPackage(join(__dirname, '..', '..', 'test-fixtures', 'sandbox'), { entry: 'hazards.ts', outDir: mkdtempSync(join(tmpdir(), 'flexchain-sandbox-')) });
    pkg = built.pkg;
    executor = new ContractExecutor(pkg, resolveHostConfig({ txCpuTimeMs: 300, txWallTimeMs: 600, isolateMemoryMb: 32, rwSetKeysMax: 50 }), (level, message, tag) => logs.push([level, message, `${tag.contract}.${tag.fn}`]));
  }, 60_000);

  afterAll(() => executor.dispose());

  it('seeds Math.random from the tx id: same id, same numbers; another id, others', async () => {
    const a = (await run('random', [], 'aa'.repeat(12))) as number[];
    const b = (await run('random', [], 'aa'.repeat(12))) as number[];
    const c = (await run('random', [], 'bb'.repeat(12))) as number[];
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a[0]).not.toBe(a[1]);
    for (const x of [...a, ...c]) expect(x >= 0 && x < 1).toBe(true);
  });

  it('Date and Date.now() read the proposal timestamp', async () => {
    expect(await run('clock')).toEqual({ now: 1_900_000_000_250, iso: new Date(1_900_000_000_250).toISOString(), asString: 'string', explicit: '1970-01-01T00:00:00.000Z' });
  });

  it.each(['WeakRef', 'FinalizationRegistry', 'SharedArrayBuffer', 'Atomics', 'WebAssembly', 'setTimeout', 'eval', 'Function', 'AsyncFunction'])('%s throws a DeterminismError naming the call', async (what) => {
    const named = what === 'Atomics' ? 'Atomics.add' : what === 'WebAssembly' ? 'WebAssembly.compile' : what === 'AsyncFunction' ? 'Function' : what;
    await expect(run('forbidden', [what])).rejects.toThrow(`hazards.forbidden failed: DeterminismError: ${named} is not available in contracts`);
  });

  it('has no require, process, network or Buffer', async () => {
    expect(await run('nodeGlobals')).toEqual({ require: 'undefined', process: 'undefined', fetch: 'undefined', Buffer: 'undefined' });
  });

  it('gives every transaction fresh globals: module state does not leak', async () => {
    for (let i = 0; i < 3; i++) expect(await run('leak')).toEqual({ counter: 1, bag: 1, global: 1 });
  });

  it('releases every context it used: a thousand transactions fit in a 32 MiB isolate without a rebuild', async () => {
    // A context whose entry reference was kept stayed in the isolate's heap until the isolate ran out of memory.
    const rebuilds = executor.rebuilds;
    for (let i = 0; i < 1000; i++) expect(await run('ok')).toBe('still serving');
    expect(executor.rebuilds).toBe(rebuilds);
  }, 60_000);

  it('stops an endless loop at txCpuTimeMs and keeps serving', async () => {
    await expect(run('spin')).rejects.toThrow(/exceeded txCpuTimeMs \(300 ms\)/);
    expect(await run('ok')).toBe('still serving');
  });

  it('stops an endless loop after an await at txCpuTimeMs, without losing the isolate, and keeps serving', async () => {
    const rebuilds = executor.rebuilds;
    // The CPU budget covers continuations after an await too, so the loop is stopped by it, and only its own call is cut.
    await expect(run('spinAfterAwait')).rejects.toThrow(/exceeded txCpuTimeMs \(300 ms\)/);
    expect(await run('ok')).toBe('still serving');
    expect(executor.rebuilds).toBe(rebuilds);
  });

  it('stops a memory bomb at isolateMemoryMb and keeps serving', async () => {
    await expect(run('hog')).rejects.toThrow(/exceeded isolateMemoryMb \(32 MiB\)|exceeded txCpuTimeMs/);
    expect(await run('ok')).toBe('still serving');
  }, 20_000);

  it('blames a memory bomb after an await on its own transaction, not on the others in the isolate', async () => {
    const others = Array.from({ length: 6 }, () => run('readMany').then((v) => v, (e: Error) => e));
    const bomb = run('hogAfterAwait').then((v) => v, (e: Error) => e);
    const [bombed, ...rest] = await Promise.all([bomb, ...others]);
    expect(bombed).toMatchObject({ name: 'TxLimitExceededError', message: expect.stringMatching(/hazards\.hogAfterAwait\) exceeded (isolateMemoryMb|txCpuTimeMs)/) });
    for (const other of rest) {
      if (other instanceof Error) expect(other).toMatchObject({ name: 'SandboxRestartedError', message: expect.stringContaining('was interrupted because its sandbox was restarted') });
      else expect(other).toBe('still serving');
    }
    expect(await run('ok')).toBe('still serving');
  }, 20_000);

  it('reports a contract error with the TypeScript line it came from', async () => {
    const error = await run('fail').catch((e: Error & { details?: string }) => e);
    expect(error).toMatchObject({ name: 'ContractExecutionError', message: expect.stringContaining('hazards.fail failed: deliberate failure in the contract') });
    expect((error as { details: string }).details).toMatch(/hazards\.ts:\d+:\d+/);
  });

  it('tags console.log and ctx.logger output with contract and function', async () => {
    logs.length = 0;
    await run('log', ['hi']);
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).toEqual(expect.arrayContaining([['info', 'console says hi', 'hazards.log'], ['warn', 'logger says hi', 'hazards.log']]));
  });

  it('fails a transaction whose rw-set exceeds rwSetKeysMax', async () => {
    await expect(run('writeMany', [51])).rejects.toThrow(/touched 51 keys, over rwSetKeysMax \(50\)/);
    expect(await run('writeMany', [50])).toBeUndefined();
  });
});

describe('ContractExecutor: nothing a transaction does survives it', () => {
  let executor: ContractExecutor;
  const logs: string[] = [];
  const store = new MemoryVersionedStore();
  const state = { get: (k: string) => store.get(k), rangePage: async (s: string, e: string, n: number) => store.scan(s, e).slice(0, n) };
  const call = (fn: string, nonce?: string) => newProposal({ channelId: 'test', contract: 'persistence', fn, args: [], creator: { mspId: 'Org1MSP', id: 'client' }, timestamp: TIMESTAMP, ...(nonce ? { nonce } : {}) });
  const run = async (fn: string, nonce?: string) => {
    const result = await executor.simulate(call(fn, nonce), identity, state);
    return result.payload.length ? fromJsonBytes(result.payload) : undefined;
  };

  beforeAll(async () => {
    const built = await buildPackage(join(__dirname, '..', '..', 'test-fixtures', 'sandbox'), { entry: 'persistence.ts', outDir: mkdtempSync(join(tmpdir(), 'flexchain-sandbox-')) });
    // One worker: every transaction below shares one isolate and one realm.
    executor = new ContractExecutor(built.pkg, resolveHostConfig({ txCpuTimeMs: 200, txWallTimeMs: 400, cnodeWorkers: 1 }), (_level, message) => logs.push(message));
  }, 60_000);

  afterAll(() => executor.dispose());

  it('module variables, module-level Maps, closures captured at load, static and instance fields, and globalThis start fresh', async () => {
    for (let i = 0; i < 3; i++) expect(await run('counters')).toEqual({ module: 1, map: 1, closure: 1, statics: 1, instance: 1, global: 1 });
  });

  it('shared intrinsics, the global and the SDK cannot be changed, with a clear error', async () => {
    const results = (await run('mutateShared')) as Record<string, string>;
    for (const [what, outcome] of Object.entries(results)) {
      expect([what, outcome]).not.toEqual([what, 'changed']);
    }
    expect(results.arrayPrototype).toMatch(/^TypeError: .*not extensible/);
    await expect(run('pollute')).rejects.toThrow(/persistence\.pollute failed: TypeError: .*built-ins and globals are frozen in contracts/);
    expect(results.sharedRegistry).toMatch(/ContractDefinitionInvalidError: @Submit must decorate a method the contract class defines itself/);
    await run('setStackTraceLimit');
    expect(await run('observeShared')).toEqual({ arrayPrototype: 'undefined', objectPrototype: 'undefined', realGlobal: 'undefined', maxWorks: true, stackTraceLimit: 'undefined', sdkTypes: 'function' });
  });

  it('a continuation left waiting after the method returned never runs', async () => {
    logs.length = 0;
    expect(await run('leaveBehind')).toBe('returned');
    for (let i = 0; i < 5; i++) expect(await run('ok')).toBe('still serving');
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).not.toContain('late continuation ran');
  });

  it('promise jobs queued by a transaction cut off at txCpuTimeMs never run in the next one', async () => {
    logs.length = 0;
    const rebuilds = executor.rebuilds;
    await expect(run('spinWithQueuedJobs')).rejects.toThrow(/exceeded txCpuTimeMs \(200 ms\)/);
    const started = Date.now();
    expect(await run('ok')).toBe('still serving');
    // The next transaction ran at once: the jobs were drained as no transaction's, not in its time.
    expect(Date.now() - started).toBeLessThan(150);
    await new Promise((r) => setTimeout(r, 50));
    expect(logs).not.toContain('queued job ran');
    expect(executor.rebuilds).toBe(rebuilds);
  });

  it('Math.random and Date belong to the transaction that runs, however transactions interleave', async () => {
    const nonces = ['a1'.repeat(12), 'b2'.repeat(12), 'c3'.repeat(12), 'd4'.repeat(12)];
    const alone: unknown[] = [];
    for (const nonce of nonces) alone.push(await run('randomAfterRead', nonce));
    const together = await Promise.all(nonces.map((nonce) => run('randomAfterRead', nonce)));
    expect(together).toEqual(alone);
    expect(new Set(alone.map((r) => (r as { random: number }).random)).size).toBe(nonces.length);
  });
});
