// Remote memory as a cNode in a worker thread sees an in-process memory node:
// the data plane is the node's SharedArrayBuffer slabs, read and written
// directly (truly one-sided); the control plane (allocate, lookup, link, keys)
// is a call to the thread that owns the node.
//
// Safety of the direct reads: a buffer is reused only after this thread has
// acknowledged its free (and dropped every cached address of it), and a free
// is announced on the same port after any lookup reply that named the buffer.
// A read that had to wait for the slab list may have let a free through, so it
// reports a stale address and the read procedure looks the key up again.

import { RemoteAddressInvalidError } from '../remote-memory/memory-node';
import type { LinkOutcome, RemoteMemory } from '../remote-memory/remote-memory';
import { copyRecord } from '../remote-memory/record-layout';
import type { PortEndpoint } from './port-endpoint';

export class SharedMemoryClient implements RemoteMemory {
  private slabs: Uint8Array[] = [];
  /** Counts free announcements handled, so a read that waited can tell whether one slipped in. */
  private frees = 0;

  constructor(
    private readonly owner: PortEndpoint,
    private readonly slabBytes: number,
  ) {}

  /** Called for every free announcement, before it is acknowledged; a reset drops the slabs too. */
  freed(reset: boolean): void {
    this.frees++;
    if (reset) this.slabs = [];
  }

  async read(address: number): Promise<Uint8Array> {
    const [slab, offset] = this.slabAt(address) ?? (await this.fetchSlabFor(address));
    return copyRecord(slab, offset);
  }

  async write(address: number, record: Uint8Array): Promise<void> {
    const [slab, offset] = this.slabAt(address) ?? (await this.fetchSlabFor(address));
    if (offset + record.length > slab.length) throw new RemoteAddressInvalidError(`A ${record.length}-byte record does not fit at ${address}.`);
    slab.set(record, offset);
  }

  allocate(bytes: number): Promise<number | undefined> {
    return this.owner.call('allocate', bytes);
  }

  release(address: number, bytes: number): Promise<void> {
    return this.owner.call('release', address, bytes);
  }

  lookup(key: string): Promise<number | undefined> {
    return this.owner.call('lookup', key);
  }

  link(key: string, address: number, options?: { onlyIfAbsent?: boolean }): Promise<LinkOutcome> {
    return this.owner.call('link', key, address, options);
  }

  keys(startKey: string, endKey: string, limit: number): Promise<string[]> {
    return this.owner.call('keys', startKey, endKey, limit);
  }

  private slabAt(address: number): [Uint8Array, number] | undefined {
    const slab = this.slabs[Math.floor(address / this.slabBytes)];
    return slab && address >= 0 ? [slab, address % this.slabBytes] : undefined;
  }

  /** The pool grew since we last asked: fetch the slab list once, then the address must be in it. */
  private async fetchSlabFor(address: number): Promise<[Uint8Array, number]> {
    const frees = this.frees;
    const buffers = await this.owner.call<SharedArrayBuffer[]>('slabs');
    this.slabs = buffers.map((buffer) => new Uint8Array(buffer));
    const found = this.slabAt(address);
    if (!found || frees !== this.frees) {
      throw new RemoteAddressInvalidError(`Address ${address} is outside the memory pool or was freed meanwhile.`, { hint: 'The cNode holds a stale address; drop it and look the key up again.' });
    }
    return found;
  }
}
