import fc from 'fast-check';
import { base64Decode, base64Encode, compareUtf8, isWellFormedUnicode, utf8ByteLength, utf8DecodeJs as utf8Decode, utf8EncodeJs as utf8Encode } from './bytes';

// The pure-JS codecs are what contracts use in the sandbox; they must match Node's exactly.
describe('bytes', () => {
  it('encodes UTF-8 exactly as Node does, for any well-formed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(Buffer.from(utf8Encode(s)).equals(Buffer.from(s, 'utf8'))).toBe(true);
        expect(utf8ByteLength(s)).toBe(Buffer.byteLength(s, 'utf8'));
        expect(utf8Decode(utf8Encode(s))).toBe(s);
      }),
    );
  });

  it('decodes arbitrary bytes as Node does (malformed sequences become U+FFFD)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => expect(utf8Decode(bytes)).toBe(Buffer.from(bytes).toString('utf8'))));
  });

  it('orders strings by UTF-8 bytes, unlike JavaScript <', () => {
    expect('\u{1F600}' < '\uE000').toBe(true);
    expect(compareUtf8('\u{1F600}', '\uE000')).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
    );
  });

  it('round-trips base64 as Node encodes it and rejects malformed text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const text = base64Encode(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(Buffer.from(base64Decode(text)!).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
    expect(base64Decode('ab$d')).toBeUndefined();
    expect(base64Decode('abcde')).toBeUndefined();
  });

  it('detects lone surrogates', () => {
    expect(isWellFormedUnicode('a\u{1F600}b')).toBe(true);
    expect(isWellFormedUnicode('a\uD83Db')).toBe(false);
    expect(isWellFormedUnicode('\uDE00')).toBe(false);
  });
});
