import fc from 'fast-check';
import { decodeRecord, encodeRecord, encodedLength, getNext, NULL_ADDRESS, setNext, setValid } from './record-layout';

describe('remote memory record layout', () => {
  it('round-trips key, version, value and tombstones', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.nat(), fc.nat({ max: 2 ** 32 - 1 }), fc.option(fc.uint8Array(), { nil: undefined }), (key, blockNum, txNum, value) => {
        const bytes = encodeRecord(key, { blockNum, txNum }, value);
        expect(encodedLength(bytes)).toBe(bytes.length);
        const record = decodeRecord(bytes);
        expect(record).toMatchObject({ version: { blockNum, txNum }, next: NULL_ADDRESS, valid: true });
        expect(record.key).toBe(new TextDecoder().decode(new TextEncoder().encode(key)));
        expect(record.value).toEqual(value);
      }),
    );
  });

  it('updates the next pointer and the valid flag in place', () => {
    const slab = new Uint8Array(256);
    slab.set(encodeRecord('k', { blockNum: 3, txNum: 1 }, new Uint8Array([7])), 100);
    setNext(slab, 100, 2 ** 40 + 5);
    setValid(slab, 100, false);
    expect(getNext(slab, 100)).toBe(2 ** 40 + 5);
    expect(decodeRecord(slab.subarray(100, 100 + encodedLength(slab, 100)))).toMatchObject({ key: 'k', next: 2 ** 40 + 5, valid: false });
  });
});
