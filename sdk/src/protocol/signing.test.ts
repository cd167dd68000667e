import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { generateSigningKeys, Signer, verifySignature } from './signing';

describe('signatures (libsodium)', () => {
  const keys = generateSigningKeys();
  const data = new TextEncoder().encode('transaction bytes');

  it('makes the same Ed25519 signature as node:crypto, and each verifies the other', () => {
    const ours = new Signer(keys.privateKey).sign(data);
    const theirs = sign(null, data, createPrivateKey(keys.privateKey));
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
    expect(verify(null, data, createPublicKey(keys.publicKey), ours)).toBe(true);
    expect(verifySignature(keys.publicKey, data, theirs)).toBe(true);
  });

  it('refuses tampered data, a tampered or short signature, another key, and keys that are not Ed25519', () => {
    const signature = new Signer(keys.privateKey).sign(data);
    const tampered = new Uint8Array(data);
    tampered[0]! ^= 1;
    expect(verifySignature(keys.publicKey, tampered, signature)).toBe(false);
    const bad = new Uint8Array(signature);
    bad[63]! ^= 1;
    expect(verifySignature(keys.publicKey, data, bad)).toBe(false);
    expect(verifySignature(keys.publicKey, data, signature.subarray(1))).toBe(false);
    expect(verifySignature(generateSigningKeys().publicKey, data, signature)).toBe(false);
    expect(verifySignature('-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----', data, signature)).toBe(false);
  });
});
