// Entry of a cNode worker thread (paper §4.1.3, §5.2). The thread has its own
// local caches and runs the read procedure against its peer's remote memory:
// the shared slabs of an in-process memory node, or its own TCP connection to
// a remote one. Keys not in memory are read from the peer's LevelDB through
// the thread's own handle (opened with multithreading). It runs V2 of the
// transactions the primary's validation manager hands it.
//
// Coherence: the peer's invalidations, evictions and (for shared slabs) freed
// buffers arrive as calls, answered only once the caches are updated.

import { parentPort, workerData } from 'node:worker_threads';
import { FlexChainError } from '@flexchain/sdk';
import { LedgerDb } from '../../storage/ledger-db';
import { BlockOverlay } from '../../validate/block-overlay';
import { checkTransaction } from '../../validate/mvcc-check';
import { ComputeNodeState } from '../compute-node-state';
import type { MemoryThreadAccess } from '../remote-memory/memory-control';
import type { RemoteMemory } from '../remote-memory/remote-memory';
import { StorageNode } from '../storage-node';
import { TieredNamespace } from '../tiered-world-state';
import { TcpMemoryClient } from '../transport/tcp-memory-client';
import { PortEndpoint, type MessageChannelSide } from './port-endpoint';
import { SharedMemoryClient } from './shared-memory-client';
import type { ComputeNodeThreadData, MvccTask, ThreadCacheStats } from './compute-node-thread';

class ThreadWritesUnsupportedError extends FlexChainError {
  override name = 'ThreadWritesUnsupportedError';
}

class ThreadNotAttachedError extends FlexChainError {
  override name = 'ThreadNotAttachedError';
}

const data = workerData as ComputeNodeThreadData;
// Validation only reads: copying storage reads into memory is left to the executing cNodes.
const limits = { ...data.limits, promoteStorageReads: false };
const ledger = new LedgerDb(data.ledgerLocation);
const opened = ledger.open();
const storage = new StorageNode(ledger.tieredState);
const peers = {
  storage,
  cnodes: () => [],
  makeRoom: () => Promise.reject(new ThreadWritesUnsupportedError('A cNode thread does not write to remote memory.')),
  memoryShort: () => true,
};

let shared: SharedMemoryClient | undefined;
let tcp: TcpMemoryClient | undefined;
let cnode: ComputeNodeState | undefined;
const namespaces = new Map<string, TieredNamespace>();

const endpoint = new PortEndpoint(parentPort as unknown as MessageChannelSide, {
  attach: async (access: MemoryThreadAccess) => {
    await opened;
    tcp?.close();
    tcp = undefined;
    shared = undefined;
    let remote: RemoteMemory;
    if (access.kind === 'shared') remote = shared = new SharedMemoryClient(endpoint, access.slabBytes);
    else {
      remote = tcp = await TcpMemoryClient.connect(access.host, access.port);
      tcp.onFree((addresses) => cnodeOf().forget(addresses));
    }
    if (cnode) cnode.reset(remote);
    else cnode = new ComputeNodeState(data.name, remote, peers, limits);
  },
  check: (task: MvccTask) => checkTransaction(namespaceOf(task.contract), new BlockOverlay(task.pending), task),
  invalidate: (entries: readonly (readonly [string, number])[]) => {
    for (const [key, address] of entries) cnodeOf().invalidate(key, address);
  },
  coldKeys: (count: number) => cnodeOf().coldKeys(count),
  evicted: (keys: readonly string[]) => cnodeOf().evicted(keys),
  freed: (addresses: readonly number[], reset: boolean) => {
    shared?.freed(reset);
    if (reset) cnodeOf().reset(shared!);
    else cnodeOf().forgetAddresses(addresses);
  },
  stats: (): ThreadCacheStats => {
    const c = cnodeOf();
    return { memoryReads: c.memoryReads, storageReads: c.storageReads, retries: c.retries, dataHits: c.data.hits, dataMisses: c.data.misses };
  },
  close: async () => {
    tcp?.close();
    await opened;
    await ledger.close();
  },
});

function cnodeOf(): ComputeNodeState {
  if (!cnode) throw new ThreadNotAttachedError(`cNode thread ${data.name} was used before it was attached to a memory node.`, { hint: 'Call attach first (ComputeNodeThread.start does).' });
  return cnode;
}

function namespaceOf(contract: string): TieredNamespace {
  let ns = namespaces.get(contract);
  if (!ns) namespaces.set(contract, (ns = new TieredNamespace(limits, contract, cnodeOf(), storage)));
  return ns;
}
