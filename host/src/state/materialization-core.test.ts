// The materialiser's core driven by seeded schedules of blocks, evictions and
// storage faults. After every step: the savepoint never passes a block whose
// records are not in storage, and storage never holds an older version of a
// key after a newer one. At the end, with faults off, storage holds the latest
// version of every key.

import { compareVersions } from '@flexchain/sdk';
import { mulberry32 } from '../bench/random';
import { MaterializationCore, type MaterializationEffect } from './materialization-core';
import type { StoredRecord } from './storage-node';

const limits = { materializeAttemptsMax: 1_000_000, materializeRetryDelayMs: 1, materializeRetryDelayMaxMs: 8 };
const SEEDS = 1000;
const STEPS = 300;
const KEYS = 6;

function simulate(seed: number): void {
  const random = mulberry32(seed);
  const core = new MaterializationCore(-1, limits);
  const storage = new Map<string, StoredRecord>();
  const blocks: StoredRecord[][] = [];
  let pendingWrite: Extract<MaterializationEffect, { type: 'write' }> | undefined;
  let timerArmed = false;
  const trace: string[] = [];

  const apply = (effects: readonly MaterializationEffect[]) => {
    for (const effect of effects) {
      trace.push(`${effect.type}${'ticket' in effect ? ` #${effect.ticket}` : ''}`);
      if (effect.type === 'write') {
        if (pendingWrite) throw new Error(`seed ${seed}: a second write started while #${pendingWrite.ticket} is in progress`);
        pendingWrite = effect;
      } else if (effect.type === 'retry-after') timerArmed = true;
      else if (effect.type === 'halt') throw effect.error;
    }
  };
  const land = (write: Extract<MaterializationEffect, { type: 'write' }>) => {
    for (const r of write.records) {
      const current = storage.get(r.key);
      if (!write.ifNewer || !current || compareVersions(r.version, current.version) > 0) storage.set(r.key, r);
    }
  };
  // The newest version of each key among the blocks at or below the savepoint: storage must hold it or newer.
  const required = new Map<string, StoredRecord>();
  let requiredUpTo = -1;
  const check = (faultsOn: boolean) => {
    for (; requiredUpTo < core.savepoint; requiredUpTo++) for (const r of blocks[requiredUpTo + 1]!) required.set(r.key, r);
    for (const [key, r] of required) {
      const stored = storage.get(key);
      if (!stored || compareVersions(stored.version, r.version) < 0) {
        throw new Error(`seed ${seed}: savepoint ${core.savepoint} passed block ${r.version.blockNum}, whose ${key}@${r.version.blockNum} is not in storage (faults ${faultsOn}); trace: ${trace.slice(-12).join(', ')}`);
      }
    }
  };
  const latestOf = new Map<string, StoredRecord>();

  const step = (faultsOn: boolean) => {
    // With faults off the schedule only finishes what is queued.
    const roll = faultsOn ? random() : 0.4 + random() * 0.6;
    if (roll < 0.3) {
      const blockNum = blocks.length;
      const writes = Array.from({ length: 1 + Math.floor(random() * 3) }, (_, i) => ({ key: `k${Math.floor(random() * KEYS)}`, version: { blockNum, txNum: i }, value: new Uint8Array([blockNum & 0xff]) }));
      blocks.push(writes);
      for (const w of writes) latestOf.set(w.key, w);
      apply(core.submit({ kind: 'block', block: { blockNum, writes }, replay: false }).effects);
    } else if (roll < 0.4 && blocks.length > 0) {
      // Eviction takes the latest committed version of a key from memory.
      const key = `k${Math.floor(random() * KEYS)}`;
      const latest = latestOf.get(key);
      if (latest) apply(core.submit({ kind: 'evicted', records: [latest] }).effects);
    } else if (roll < 0.85 && pendingWrite) {
      const write = pendingWrite;
      pendingWrite = undefined;
      if (faultsOn && random() < 0.35) apply(core.failed(write.ticket, 'injected'));
      else {
        land(write);
        apply(core.written(write.ticket));
      }
    } else if (timerArmed) {
      timerArmed = false;
      apply(core.retryDue());
    }
    check(faultsOn);
  };

  for (let i = 0; i < STEPS; i++) step(true);
  for (let i = 0; i < STEPS * 20 && !(core.idle && !pendingWrite); i++) step(false);
  expect(core.idle).toBe(true);
  expect(core.savepoint).toBe(blocks.length - 1);
  for (const [key, r] of latestOf) expect(storage.get(key)?.version).toEqual(r.version);
}

describe('MaterializationCore under seeded storage faults', () => {
  it(`keeps the savepoint behind every unmaterialised block over ${SEEDS} seeds`, () => {
    for (let seed = 1; seed <= SEEDS; seed++) simulate(seed);
  });

  it('halts after materializeAttemptsMax failed attempts, settling every queued job', () => {
    const core = new MaterializationCore(-1, { ...limits, materializeAttemptsMax: 2 });
    const first = core.submit({ kind: 'block', block: { blockNum: 0, writes: [] }, replay: false });
    const second = core.submit({ kind: 'block', block: { blockNum: 1, writes: [] }, replay: false });
    expect(first.effects).toMatchObject([{ type: 'write', savepoint: 0 }]);
    expect(core.failed(first.ticket, 'disk full')).toMatchObject([{ type: 'retry-after', delayMs: 1 }]);
    expect(core.retryDue()).toMatchObject([{ type: 'write', ticket: first.ticket }]);
    const halted = core.failed(first.ticket, 'disk full');
    expect(halted.map((e) => e.type)).toEqual(['halt', 'settle', 'settle']);
    expect(halted).toContainEqual({ type: 'settle', ticket: second.ticket, error: core.halted });
    expect(core.savepoint).toBe(-1);
    expect(core.submit({ kind: 'evicted', records: [] }).effects).toMatchObject([{ type: 'settle', error: core.halted }]);
  });
});
