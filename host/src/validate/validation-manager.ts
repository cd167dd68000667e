// The validation manager of paper §5.2 (Algorithm 1) as a pure state machine:
// it hands out transactions whose predecessors in the block's dependency graph
// are all done, and learns when each is done. Whoever drives it (async tasks,
// worker threads) decides how many run at once; the order in which ready
// transactions finish does not change the result, because conflicting
// transactions are never ready together.

import type { DependencyGraph } from '@flexchain/sdk/protocol';

export class ValidationManager {
  private readonly waitingOn: number[];
  private readonly successors: number[][];
  private readonly ready: number[] = [];
  private readyHead = 0;
  private remaining: number;

  constructor(graph: DependencyGraph) {
    const n = graph.dependencies.length;
    this.remaining = n;
    this.waitingOn = graph.dependencies.map((deps) => deps.length);
    this.successors = Array.from({ length: n }, () => []);
    graph.dependencies.forEach((deps, tx) => {
      for (const d of deps) this.successors[d]!.push(tx);
      if (deps.length === 0) this.ready.push(tx);
    });
  }

  /** The next transaction free to validate, or undefined if all free ones were handed out. */
  next(): number | undefined {
    return this.readyHead < this.ready.length ? this.ready[this.readyHead++] : undefined;
  }

  /** Transaction `tx` (handed out by next()) is validated, and its writes applied if valid. */
  complete(tx: number): void {
    this.remaining--;
    for (const s of this.successors[tx]!) if (--this.waitingOn[s]! === 0) this.ready.push(s);
  }

  /** Every transaction of the block is done: the block can commit. */
  get finished(): boolean {
    return this.remaining === 0;
  }
}

/**
 * Drives a ValidationManager with up to `tasksMax` concurrent async tasks,
 * each running `validate(tx)` (V2, then V3 if valid). Rejects on the first error.
 */
export function validateByGraph(graph: DependencyGraph, tasksMax: number, validate: (tx: number) => Promise<void>): Promise<void> {
  const manager = new ValidationManager(graph);
  return new Promise((resolve, reject) => {
    let running = 0;
    let failed = false;
    const pump = () => {
      if (failed) return;
      if (manager.finished) return resolve();
      for (let tx = running < tasksMax ? manager.next() : undefined; tx !== undefined; tx = running < tasksMax ? manager.next() : undefined) {
        running++;
        const id = tx;
        validate(id).then(
          () => {
            running--;
            manager.complete(id);
            pump();
          },
          (err: unknown) => {
            failed = true;
            reject(err);
          },
        );
      }
    };
    pump();
  });
}
