import { ConfigInvalidError } from './errors';

// Bounds a transaction's use of the stub. The host passes its own configured
// values; the mocked world state uses the same defaults, so a contract that fits
// in unit tests fits on the network.

export interface StubLimits {
  /** Longest key, in UTF-8 bytes. LevelDB handles far more, but keys live in every cNode's metadata cache. */
  keyBytesMax: number;
  /** Largest value, in bytes. A record must fit in one remote-memory slab with room to spare. */
  valueBytesMax: number;
  /** Most events one transaction may set. */
  eventCountMax: number;
  /** Longest event name, in UTF-8 bytes. */
  eventNameBytesMax: number;
  /** Largest event payload, in bytes. Events are streamed to every subscriber. */
  eventPayloadBytesMax: number;
  /** Largest page a paginated range query may ask for, in records. */
  rangePageSizeMax: number;
}

export const DEFAULT_STUB_LIMITS: Readonly<StubLimits> = Object.freeze({
  keyBytesMax: 1024,
  valueBytesMax: 1024 * 1024,
  eventCountMax: 16,
  eventNameBytesMax: 256,
  eventPayloadBytesMax: 64 * 1024,
  rangePageSizeMax: 10_000,
});

/** Merges overrides over the defaults and checks the relations between limits. */
export function resolveStubLimits(overrides: Partial<StubLimits> = {}): StubLimits {
  const limits = { ...DEFAULT_STUB_LIMITS, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new ConfigInvalidError(`Stub limit ${name} must be a positive integer, got ${String(value)}.`, {
        hint: `Set ${name} to a whole number above 0, or leave it out to use ${String(DEFAULT_STUB_LIMITS[name as keyof StubLimits])}.`,
      });
    }
  }
  return limits;
}
