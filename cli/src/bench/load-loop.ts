// The load of an end-to-end benchmark: `clients` closed loops, each submitting
// one transaction after another for a fixed time. It runs in the benchmark's
// own process, or in a load-generator process of its own (load-generator.ts),
// so the network's cost can be read without the load's.

import { TransactionInvalidError } from '@flexchain/sdk';

export interface LoopCounts {
  submitted: number;
  committed: number;
  /** Invalidated by validation: MVCC or phantom conflicts. */
  aborted: number;
  /** Refused by the contract during simulation. */
  rejected: number;
}

export interface LoopOutcome extends LoopCounts {
  /** Commit latencies, in ms. */
  readonly latencies: number[];
  readonly elapsedMs: number;
}

/** Runs the loops; `counts` is updated as they go, for progress. */
export async function runLoops(
  clients: number,
  durationMs: number,
  /** `client` is the loop's number, 0 to clients - 1. */
  submit: (fn: string, args: unknown[], client: number) => Promise<unknown>,
  nextTx: () => [string, unknown[]],
  counts: LoopCounts = { submitted: 0, committed: 0, aborted: 0, rejected: 0 },
): Promise<LoopOutcome> {
  const latencies: number[] = [];
  const start = performance.now();
  const deadline = start + durationMs;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        const [fn, args] = nextTx();
        const t0 = performance.now();
        counts.submitted++;
        try {
          await submit(fn, args, client);
          counts.committed++;
          latencies.push(performance.now() - t0);
        } catch (err) {
          if (err instanceof TransactionInvalidError) counts.aborted++;
          else counts.rejected++;
        }
      }
    }),
  );
  return { ...counts, latencies, elapsedMs: performance.now() - start };
}
