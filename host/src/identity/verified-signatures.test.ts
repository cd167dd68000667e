import { generateSigningKeys, Signer } from '@flexchain/sdk/protocol';
import { VerifiedSignatures } from './verified-signatures';

describe('VerifiedSignatures', () => {
  const keys = generateSigningKeys();
  const other = generateSigningKeys();
  const signer = new Signer(keys.privateKey);
  const data = new TextEncoder().encode('a response');

  it('accepts a signature it recorded without verifying it, and one it verified once without verifying it again', () => {
    const cache = new VerifiedSignatures(16);
    const own = signer.sign(data);
    cache.record(keys.publicKey, data, own);
    expect(cache.verify(keys.publicKey, data, own)).toBe(true);
    expect(cache.verified).toBe(0);
    const seen = signer.sign(new TextEncoder().encode('another'));
    expect(cache.verify(keys.publicKey, new TextEncoder().encode('another'), seen)).toBe(true);
    expect(cache.verify(keys.publicKey, new TextEncoder().encode('another'), seen)).toBe(true);
    expect(cache.verified).toBe(1);
    expect(cache.hits).toBe(2);
  });

  it('refuses a remembered signature over other data, under another key, or altered', () => {
    const cache = new VerifiedSignatures(16);
    const signature = signer.sign(data);
    cache.record(keys.publicKey, data, signature);
    expect(cache.verify(keys.publicKey, new TextEncoder().encode('a responsf'), signature)).toBe(false);
    expect(cache.verify(other.publicKey, data, signature)).toBe(false);
    const altered = new Uint8Array(signature);
    altered[0]! ^= 1;
    expect(cache.verify(keys.publicKey, data, altered)).toBe(false);
    expect(cache.verify(keys.publicKey, data, signature.subarray(0, 32))).toBe(false);
  });

  it('remembers at most entriesMax signatures, dropping the oldest', () => {
    const cache = new VerifiedSignatures(2);
    const messages = ['one', 'two', 'three'].map((m) => new TextEncoder().encode(m));
    const signatures = messages.map((m) => signer.sign(m));
    messages.forEach((m, i) => cache.record(keys.publicKey, m, signatures[i]!));
    expect(cache.verify(keys.publicKey, messages[0]!, signatures[0]!)).toBe(true);
    expect(cache.verified).toBe(1);
    expect(cache.verify(keys.publicKey, messages[2]!, signatures[2]!)).toBe(true);
    expect(cache.verified).toBe(1);
  });
});
