// Where V2 of a transaction runs in parallel validation: on the primary cNode
// itself (async tasks overlapping remote-memory latency) or on one of the
// peer's cNode threads (to use more cores). Each task goes to the lane with
// the fewest tasks in flight, ties to the primary, which needs no message.
// A thread that has died loses its share of the work to the primary.

import type { TxValidationCodeName } from '@flexchain/sdk';
import { ThreadLostError } from '../state/thread/port-endpoint';
import type { MvccTask } from '../state/thread/compute-node-thread';

/** What the lanes need of a cNode thread. */
export interface ValidationThread {
  readonly alive: boolean;
  readonly inFlight: number;
  check(task: MvccTask): Promise<TxValidationCodeName>;
}

export class ValidationLanes {
  private localInFlight = 0;
  checkedLocally = 0;
  checkedOnThreads = 0;

  constructor(private readonly threads: () => readonly ValidationThread[]) {}

  async check(task: () => MvccTask, local: () => Promise<TxValidationCodeName>): Promise<TxValidationCodeName> {
    let lane: ValidationThread | undefined;
    let least = this.localInFlight;
    for (const thread of this.threads()) {
      if (thread.alive && thread.inFlight < least) [lane, least] = [thread, thread.inFlight];
    }
    if (lane) {
      try {
        const code = await lane.check(task());
        this.checkedOnThreads++;
        return code;
      } catch (err) {
        if (!(err instanceof ThreadLostError)) throw err;
      }
    }
    this.localInFlight++;
    try {
      return await local();
    } finally {
      this.localInFlight--;
      this.checkedLocally++;
    }
  }
}
