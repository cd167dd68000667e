import { encodeRwSet, type RwSet } from '@flexchain/sdk';
import { DEFAULT_HOST_CONFIG } from '../config';
import { assertResponseWithinRules, TxLimitExceededError } from './response-rules';

describe('the rw-set size rule (rwSetBytesMax)', () => {
  const bytes = (n: number) => new Uint8Array(n).fill(0x41);
  // Keys whose JSON takes more than a byte per character: control characters escaped, accents, an emoji.
  const rwset: RwSet = {
    reads: [{ key: 'a\u0001\u0002', version: { blockNum: 2 ** 40, txNum: 7 } }, { key: 'b\u00e9\u00e9' }],
    writes: [{ key: 'c\u{1F600}', value: bytes(100), isDelete: false }, { key: 'd', value: new Uint8Array(0), isDelete: true }],
    rangeQueries: [{ startKey: 'e', endKey: 'f', reads: [{ key: 'e\u0003', version: { blockNum: 1, txNum: 0 } }] }],
  };
  const size = encodeRwSet(rwset).length;
  const limitsWith = (rwSetBytesMax: number) => ({ ...DEFAULT_HOST_CONFIG, rwSetBytesMax });
  const response = { payload: new Uint8Array(0), rwset, events: [] };

  it('accepts a rw-set of exactly rwSetBytesMax encoded bytes and refuses one byte less, whatever its keys hold', () => {
    expect(() => assertResponseWithinRules(response, limitsWith(size), 'tx')).not.toThrow();
    expect(() => assertResponseWithinRules(response, limitsWith(size - 1), 'tx')).toThrow(TxLimitExceededError);
    expect(() => assertResponseWithinRules(response, limitsWith(size - 1), 'tx')).toThrow(`has a ${size}-byte rw-set`);
  });

  it('needs no encoding when the signed response is already within the bound', () => {
    expect(() => assertResponseWithinRules(response, limitsWith(size - 1), 'tx', size - 1)).not.toThrow();
  });
});
