// The space manager of the remote memory pool: hands out buffers for records.
//
// Memory grows slab by slab (slabBytes each) up to the peer's budget
// (memoryBudgetBytes). Buffers come in size classes from allocationBytesMin:
// four per power of two (e.g. 1024, 1280, 1536, 1792), so a record wastes at
// most a quarter of its buffer, and variable-length records reuse freed space
// without fragmenting it: a freed buffer goes back to its class's free list.
// Pure bookkeeping over offsets; the bytes live in the slabs.
//
// Invariants: usedBytes = sum of allocated class sizes <= slabs * slabBytes <= budget;
// a buffer never crosses a slab boundary.

import { ConfigInvalidError, FlexChainError } from '@flexchain/sdk';

export class RecordTooLargeError extends FlexChainError {
  override name = 'RecordTooLargeError';
}

/** Size classes between consecutive powers of two; 4 bounds the waste per buffer at 25%. */
const CLASSES_PER_DOUBLING = 4;

export interface SpaceLimits {
  /** Size of one slab, in bytes. */
  readonly slabBytes: number;
  /** Most memory the pool may hold for one peer, in bytes; a multiple of slabBytes. */
  readonly memoryBudgetBytes: number;
  /** Smallest buffer handed out, in bytes (a power of two). */
  readonly allocationBytesMin: number;
}

export class SpaceManager {
  private readonly freeLists = new Map<number, number[]>();
  private slabCount = 0;
  private bumpSlab = -1;
  private bumpOffset = 0;
  private used = 0;

  constructor(readonly limits: SpaceLimits) {
    const { slabBytes, memoryBudgetBytes, allocationBytesMin } = limits;
    if (slabBytes <= 0 || memoryBudgetBytes < slabBytes || memoryBudgetBytes % slabBytes !== 0) {
      throw new ConfigInvalidError(`memoryBudgetBytes (${memoryBudgetBytes}) must be a positive multiple of slabBytes (${slabBytes}).`, { hint: 'Round the memory budget to whole slabs.' });
    }
    if (allocationBytesMin <= 0 || (allocationBytesMin & (allocationBytesMin - 1)) !== 0) throw new ConfigInvalidError(`allocationBytesMin (${allocationBytesMin}) must be a power of two.`);
  }

  /** The size class (buffer size) for a record of `bytes`. */
  classOf(bytes: number): number {
    if (bytes <= this.limits.allocationBytesMin) return this.limits.allocationBytesMin;
    let power = this.limits.allocationBytesMin;
    while (power * 2 < bytes) power *= 2;
    const step = power / CLASSES_PER_DOUBLING;
    return Math.ceil(bytes / step) * step;
  }

  /**
   * Address of a free buffer of at least `bytes`, or undefined when the budget
   * is exhausted (the caller evicts and retries). `onNewSlab` is told when the
   * pool grows, so the data plane can create the slab.
   */
  allocate(bytes: number, onNewSlab: (slabIndex: number) => void): number | undefined {
    const size = this.classOf(bytes);
    if (size > this.limits.slabBytes) {
      throw new RecordTooLargeError(`A ${bytes}-byte record does not fit in a ${this.limits.slabBytes}-byte slab.`, { hint: 'Raise slabBytes above the largest value size (stub.valueBytesMax) plus key and header.' });
    }
    const reused = this.freeLists.get(size)?.pop();
    if (reused !== undefined) {
      this.used += size;
      return reused;
    }
    if (this.bumpSlab < 0 || this.bumpOffset + size > this.limits.slabBytes) {
      if ((this.slabCount + 1) * this.limits.slabBytes > this.limits.memoryBudgetBytes) return undefined;
      // The tail of the old slab is too small for this class; give it to smaller classes.
      if (this.bumpSlab >= 0) this.releaseTail();
      this.bumpSlab = this.slabCount++;
      this.bumpOffset = 0;
      onNewSlab(this.bumpSlab);
    }
    const address = this.bumpSlab * this.limits.slabBytes + this.bumpOffset;
    this.bumpOffset += size;
    this.used += size;
    return address;
  }

  free(address: number, bytes: number): void {
    const size = this.classOf(bytes);
    this.used -= size;
    this.pushFree(size, address);
  }

  /** Bytes in buffers handed out. */
  get usedBytes(): number {
    return this.used;
  }

  /** Bytes the pool holds in slabs. */
  get capacityBytes(): number {
    return this.slabCount * this.limits.slabBytes;
  }

  /** Bytes still available under the budget, counting slabs not yet created. */
  get freeBytes(): number {
    return this.limits.memoryBudgetBytes - this.used;
  }

  get slabs(): number {
    return this.slabCount;
  }

  /** Gives the unused tail of the current slab to the free lists, largest buffers first. */
  private releaseTail(): void {
    const { slabBytes, allocationBytesMin } = this.limits;
    let offset = this.bumpOffset;
    while (slabBytes - offset >= allocationBytesMin) {
      let size = allocationBytesMin;
      while (size * 2 <= slabBytes - offset) size *= 2;
      // Power-of-two pieces are all valid classes.
      this.pushFree(size, this.bumpSlab * slabBytes + offset);
      offset += size;
    }
  }

  private pushFree(size: number, address: number): void {
    const list = this.freeLists.get(size);
    if (list) list.push(address);
    else this.freeLists.set(size, [address]);
  }
}
