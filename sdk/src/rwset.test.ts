import fc from 'fast-check';
import { decodeRwSet, encodeRwSet, RwSetBuilder, type RwSet } from './rwset';
import { utf8Decode, utf8Encode } from './bytes';

describe('rw-set', () => {
  it('keeps the first read of a key, the last write, and sorts both by UTF-8 key order', () => {
    const b = new RwSetBuilder();
    b.addRead('\u{1F600}', { blockNum: 1, txNum: 0 });
    b.addRead('b', undefined);
    b.addRead('\u{1F600}', { blockNum: 9, txNum: 9 });
    b.addWrite('z', utf8Encode('1'));
    b.addWrite('\uE000', utf8Encode('2'));
    b.addDelete('z');
    const rwset = b.build();
    expect(rwset.reads).toEqual([{ key: 'b' }, { key: '\u{1F600}', version: { blockNum: 1, txNum: 0 } }]);
    expect(rwset.writes.map((w) => [w.key, w.isDelete])).toEqual([['z', true], ['\uE000', false]].sort((x, y) => Buffer.compare(Buffer.from(x[0] as string), Buffer.from(y[0] as string))));
  });

  it('encodes canonically: same rw-set, same bytes; decode inverts encode', () => {
    const arbRead = fc.record({ key: fc.string({ minLength: 1 }), version: fc.option(fc.record({ blockNum: fc.nat(), txNum: fc.nat() }), { nil: undefined }) }).map((r) => (r.version ? r : { key: r.key }));
    const arbRwSet = fc.record({
      reads: fc.array(arbRead),
      rangeQueries: fc.array(fc.record({ startKey: fc.string(), endKey: fc.string(), reads: fc.array(arbRead) })),
      writes: fc.array(fc.oneof(fc.record({ key: fc.string({ minLength: 1 }), isDelete: fc.constant(false), value: fc.uint8Array() }), fc.record({ key: fc.string({ minLength: 1 }), isDelete: fc.constant(true), value: fc.constant(new Uint8Array(0)) }))),
    });
    fc.assert(
      fc.property(arbRwSet, (rwset: RwSet) => {
        const bytes = encodeRwSet(rwset);
        const decoded = decodeRwSet(bytes);
        expect(decoded).toEqual(rwset);
        expect(utf8Decode(encodeRwSet(decoded))).toBe(utf8Decode(bytes));
      }),
    );
  });

  it('rejects malformed rw-sets, saying what is wrong', () => {
    expect(() => decodeRwSet(utf8Encode('{'))).toThrow('Rw-set bytes are not JSON.');
    expect(() => decodeRwSet(utf8Encode('{"reads":[{"key":"a","version":[1]}],"rangeQueries":[],"writes":[]}'))).toThrow('reads[0].version is not [blockNum, txNum]');
    expect(() => decodeRwSet(utf8Encode('{"reads":[],"rangeQueries":[],"writes":[{"key":"a","value":"@@"}]}'))).toThrow('writes[0].value is not base64');
  });
});
