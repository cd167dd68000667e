// Signatures: Ed25519 from node:crypto. Verification has a synchronous form and
// an asynchronous one that runs on libuv's thread pool, so V1 checks a block's
// signatures on every core without worker threads.

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

export interface KeyPairPem {
  readonly publicKey: string;
  readonly privateKey: string;
}

export function generateSigningKeys(): KeyPairPem {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

export class Signer {
  private readonly key: KeyObject;
  constructor(privateKeyPem: string) {
    this.key = createPrivateKey(privateKeyPem);
  }
  sign(data: Uint8Array): Uint8Array {
    return sign(null, data, this.key);
  }
  /** Signs on the libuv thread pool, off the event loop. */
  signAsync(data: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => sign(null, data, this.key, (err, signature) => (err ? reject(err) : resolve(signature))));
  }
}

const publicKeyCache = new Map<string, KeyObject>();

export function publicKeyOf(pem: string): KeyObject {
  let key = publicKeyCache.get(pem);
  if (!key) {
    key = createPublicKey(pem);
    publicKeyCache.set(pem, key);
  }
  return key;
}

export function verifySignature(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, publicKeyOf(publicKeyPem), signature);
  } catch {
    return false;
  }
}

/** Verifies on the libuv thread pool. Never rejects: malformed input is simply invalid. */
export function verifySignatureAsync(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      verify(null, data, publicKeyOf(publicKeyPem), signature, (err, ok) => resolve(!err && ok));
    } catch {
      resolve(false);
    }
  });
}

export function sha256(data: Uint8Array | string): Uint8Array {
  return createHash('sha256').update(data).digest();
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
