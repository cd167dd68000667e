// The ordering service seen from a peer or a gateway. The solo orderer is the
// embedded implementation; an etcd-backed cluster implements the same seam.

import type { Block, Signed } from '@flexchain/sdk/protocol';

export interface OrderingService {
  /** Accepts a transaction envelope for ordering; resolves once it is in the orderer's log. */
  broadcast(envelope: Signed): Promise<void>;
  /**
   * Calls `listener` with every block from `fromBlock` on, in order, including blocks cut later.
   * A listener that fails ends its subscription: `onFailure` hears why (and the subscriber resubscribes
   * from its height, or stops). Returns an unsubscribe function.
   */
  deliver(fromBlock: number, listener: (block: Block) => Promise<void> | void, onFailure?: (err: unknown, blockNum: number) => void): () => void;
  /** Number of blocks cut so far. */
  readonly height: number;
  close(): Promise<void>;
}
