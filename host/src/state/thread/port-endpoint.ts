// Request/reply over a MessagePort, in both directions: a cNode thread calls
// its peer's control plane (lookup, link, ...), the peer calls the thread
// (invalidate, validate, ...). Replies are matched to requests by id. Messages
// on one port arrive in the order they were posted, which the coherence
// protocol relies on: a free announcement posted after a lookup reply is
// handled after it. Messages sent before the next microtask checkpoint (e.g.
// all the tasks one validation-manager step hands out) travel as one post, in
// order: a post costs far more than the bytes in it.

import { FlexChainError } from '@flexchain/sdk';

export class ThreadLostError extends FlexChainError {
  override name = 'ThreadLostError';
}

export class PortOpUnknownError extends FlexChainError {
  override name = 'PortOpUnknownError';
}

/** The part of MessagePort (or a Worker, or parentPort) an endpoint uses. */
export interface MessageChannelSide {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** Handlers by op; arguments and results are structured-cloned, their types agreed by caller and callee. */
export type PortHandlers = Record<string, (...args: never[]) => unknown>;

type Message =
  | { readonly t: 'call'; readonly id: number; readonly op: string; readonly args: readonly unknown[] }
  | { readonly t: 'reply'; readonly id: number; readonly value: unknown }
  | { readonly t: 'fail'; readonly id: number; readonly name: string; readonly message: string };

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class PortEndpoint {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private outbox: Message[] = [];
  private lost: Error | undefined;

  constructor(
    private readonly side: MessageChannelSide,
    private readonly handlers: PortHandlers,
  ) {
    side.on('message', (batch) => {
      for (const message of batch as Message[]) this.receive(message);
    });
  }

  call<T>(op: string, ...args: unknown[]): Promise<T> {
    if (this.lost) return Promise.reject(this.lost);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.send({ t: 'call', id, op, args });
    });
  }

  /** The other side is gone: outstanding and later calls fail with `err`. */
  fail(err: Error): void {
    this.lost ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private receive(message: Message): void {
    if (message.t === 'call') return void this.serve(message.id, message.op, message.args);
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.t === 'reply') return pending.resolve(message.value);
    const err = new FlexChainError(message.message);
    err.name = message.name;
    pending.reject(err);
  }

  private async serve(id: number, op: string, args: readonly unknown[]): Promise<void> {
    try {
      const handler = this.handlers[op] as ((...args: readonly unknown[]) => unknown) | undefined;
      if (!handler) throw new PortOpUnknownError(`No handler for "${op}" on this side of the port.`, { hint: 'Both sides of a port must be built from the same version.' });
      this.send({ t: 'reply', id, value: await handler(...args) });
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.send({ t: 'fail', id, name: error.name, message: error.message });
    }
  }

  private send(message: Message): void {
    if (this.outbox.push(message) > 1) return;
    queueMicrotask(() => {
      const batch = this.outbox;
      this.outbox = [];
      this.side.postMessage(batch);
    });
  }
}
