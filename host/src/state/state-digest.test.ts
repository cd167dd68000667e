// The state digest is a function of the state alone: kept block by block it
// equals a scan of the resulting state, whatever the order of writes.

import { utf8Encode } from '@flexchain/sdk';
import { mulberry32 } from '../bench/random';
import { digestAfterBlock, digestOfState, EMPTY_STATE_DIGEST, formatDigest, parseDigest, updateDigest } from './state-digest';

type Entry = { key: string; value: Uint8Array; version: { blockNum: number; txNum: number } };

async function* entries(list: readonly Entry[]) {
  yield* list;
}

describe('state digest', () => {
  it('kept block by block, equals a scan of the state it leads to', async () => {
    const random = mulberry32(13);
    const state = new Map<string, Map<string, Entry>>();
    let digest = EMPTY_STATE_DIGEST;
    for (let blockNum = 1; blockNum <= 60; blockNum++) {
      const writes = Array.from({ length: 1 + Math.floor(random() * 6) }, (_, txNum) => {
        const contract = random() < 0.5 ? 'bank' : 'token';
        const key = `k${Math.floor(random() * 12)}`;
        const write = random() < 0.2 ? { key, delete: true as const } : { key, value: utf8Encode(`v${blockNum}.${txNum}`) };
        return { contract, write, version: { blockNum, txNum } };
      });
      digest = await digestAfterBlock(digest, writes, async (contract, key) => state.get(contract)?.get(key));
      for (const { contract, write, version } of writes) {
        const ns = state.get(contract) ?? new Map<string, Entry>();
        state.set(contract, ns);
        if ('delete' in write) ns.delete(write.key);
        else ns.set(write.key, { key: write.key, value: write.value, version });
      }
      // Scanned in another order than written: the sum does not care.
      const scanned = await digestOfState([...state].reverse().map(([contract, ns]) => [contract, entries([...ns.values()].reverse())] as const));
      expect(formatDigest(scanned)).toBe(formatDigest(digest));
    }
    expect(digest).not.toBe(EMPTY_STATE_DIGEST);
  });

  it('changes with any byte of a key, a version or a value, and with the namespace', () => {
    const leaf = { contract: 'bank', key: 'alice', version: { blockNum: 3, txNum: 1 }, value: utf8Encode('100') };
    const base = updateDigest(EMPTY_STATE_DIGEST, [], [leaf]);
    for (const changed of [{ ...leaf, contract: 'bang' }, { ...leaf, key: 'alicf' }, { ...leaf, version: { blockNum: 3, txNum: 2 } }, { ...leaf, value: utf8Encode('101') }]) {
      expect(updateDigest(EMPTY_STATE_DIGEST, [], [changed])).not.toBe(base);
    }
    expect(updateDigest(base, [leaf], [])).toBe(EMPTY_STATE_DIGEST);
  });

  it('round-trips as 64 hex digits and refuses anything else', () => {
    const digest = updateDigest(EMPTY_STATE_DIGEST, [], [{ contract: 'c', key: 'k', version: { blockNum: 0, txNum: 0 }, value: new Uint8Array() }]);
    expect(formatDigest(digest)).toMatch(/^[0-9a-f]{64}$/);
    expect(parseDigest(formatDigest(digest))).toBe(digest);
    expect(parseDigest('zz')).toBeUndefined();
  });
});
