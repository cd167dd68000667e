// The sandbox process of one cNode: runs ContractExecutors for the packages its
// cNode sends, and asks the cNode over the IPC channel for every state read
// its read cache cannot answer (sandbox-read-cache.ts); it holds no other
// state. If V8 aborts here (an isolate's heap exhausted
// in a way isolated-vm cannot stop), only this process dies; the cNode answers
// the transactions it had in flight and starts a new one (sandbox-process.ts).

import type { LogLevel, VersionedValue } from '@flexchain/sdk';
import { errorFromWire, errorToWire, Outbox } from '@flexchain/sdk/protocol';
import type { HostConfig } from '../config';
import type { StateAccess } from '../state/state-access';
import { ContractExecutor } from './contract-executor';
import type { FromSandbox, ToSandbox } from './sandbox-ipc';
import { SandboxReadCache } from './sandbox-read-cache';

let config: HostConfig | undefined;
let cache: SandboxReadCache | undefined;
const executors = new Map<string, ContractExecutor>();
interface PendingCall {
  resolve: (value: never) => void;
  reject: (err: Error) => void;
  /** A point read's namespace and key, for the cache. */
  readonly read?: { readonly contract: string; readonly key: string };
}

/** State calls waiting for the cNode's reply, by simulation id and call number. */
const pending = new Map<string, PendingCall>();
let nextCall = 0;

const outbox = new Outbox<FromSandbox>((batch) => {
  try {
    process.send!(batch);
  } catch {
    // The cNode is gone; 'disconnect' ends this process.
  }
});
const send = (message: FromSandbox) => outbox.push(message);
const log = (level: LogLevel, message: string, tag: { contract: string; fn: string; txId: string }) => send({ t: 'log', level, message, tag });

function stateFor(id: number, contract: string): StateAccess {
  const call = <T>(op: 'get' | 'range', args: unknown[], read?: PendingCall['read']) =>
    new Promise<T>((resolve, reject) => {
      const n = nextCall++;
      pending.set(`${id}:${n}`, { resolve: resolve as (value: never) => void, reject, ...(read ? { read } : {}) });
      send({ t: 'state', id, call: n, op, args });
    });
  return {
    get: (key) => {
      const cached = cache?.lookup(contract, key);
      return cached ? Promise.resolve(cached.value) : call('get', [key], { contract, key });
    },
    rangePage: (start, end, limit) => call('range', [start, end, limit]),
  };
}

const readCounts = () => ({ hits: cache?.hits ?? 0, misses: cache?.misses ?? 0 });

async function simulate(message: Extract<ToSandbox, { t: 'simulate' }>): Promise<void> {
  const executor = executors.get(message.packageId);
  try {
    if (!executor) throw new Error(`package ${message.packageId.slice(0, 12)} was not sent to the sandbox process`);
    const result = await executor.simulate(message.proposal, message.identity, stateFor(message.id, message.proposal.contract));
    send({ t: 'done', id: message.id, rebuilds: executor.rebuilds, reads: readCounts(), ok: true, result });
  } catch (err) {
    send({ t: 'done', id: message.id, rebuilds: executor?.rebuilds ?? 0, reads: readCounts(), ok: false, error: errorToWire(err) });
  }
}

process.on('message', (batch: ToSandbox[]) => {
  for (const message of batch) receive(message);
});

function receive(message: ToSandbox): void {
  switch (message.t) {
    case 'config':
      config = message.config;
      cache = new SandboxReadCache(config.sandboxReadCacheBytesMax);
      return;
    case 'invalidate':
      cache?.invalidate(message.keys);
      return;
    case 'install':
      if (!executors.has(message.packageId)) executors.set(message.packageId, new ContractExecutor(message.pkg, config!, log, { syncCalls: true }));
      return;
    case 'retire':
      executors.get(message.packageId)?.dispose();
      executors.delete(message.packageId);
      return;
    case 'simulate':
      void simulate(message);
      return;
    case 'reply': {
      const key = `${message.id}:${message.call}`;
      const waiter = pending.get(key);
      pending.delete(key);
      if (!waiter) return;
      if (message.ok) {
        if (waiter.read) cache?.fill(waiter.read.contract, waiter.read.key, message.value as VersionedValue | undefined, message.invalidations);
        waiter.resolve(message.value as never);
      } else waiter.reject(errorFromWire(message.error));
    }
  }
}

// The cNode is gone: nothing is left to serve.
process.on('disconnect', () => process.exit(0));
