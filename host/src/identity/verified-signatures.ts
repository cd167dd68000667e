// Signatures a peer has already checked, or made itself, so each distinct
// signature costs one Ed25519 verification per peer at most. A cNode records
// every response signature it makes; V1 then finds its own endorsements here
// and skips them, and a signature seen twice (the same envelope in two
// blocks, a response endorsed for several transactions) is verified once.
//
// A hit needs the same public key, the same 64 signature bytes and a message
// with the same SHA-256 digest as the one verified: as strong as the
// verification itself, at a hash's cost (~3 µs instead of ~45-90 µs).

import { bytesEqual } from '@flexchain/sdk';
import { sha256, verifySignature } from '@flexchain/sdk/protocol';

export class VerifiedSignatures {
  /** pem + signature bytes (latin1) → digest of the message; oldest first, for eviction. */
  private readonly entries = new Map<string, Uint8Array>();
  hits = 0;
  verified = 0;

  constructor(
    /** Most signatures remembered; the oldest go first. */
    private readonly entriesMax: number,
  ) {}

  /** Remembers a signature this peer made, or checked by other means. */
  record(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): void {
    this.remember(signatureKey(publicKeyPem, signature), sha256(data));
  }

  /** Whether this signature is known to be valid, without verifying it. */
  has(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): boolean {
    return this.lookup(publicKeyPem, data, signature)?.known === true;
  }

  verify(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): boolean {
    const found = this.lookup(publicKeyPem, data, signature);
    if (!found) return false;
    if (found.known) return true;
    this.verified++;
    if (!verifySignature(publicKeyPem, data, signature)) return false;
    this.remember(found.key, found.digest);
    return true;
  }

  /** The entry's key and the message digest, and whether they are remembered; undefined for arguments that are not bytes. */
  private lookup(publicKeyPem: string, data: Uint8Array, signature: Uint8Array): { key: string; digest: Uint8Array; known: boolean } | undefined {
    if (!(signature instanceof Uint8Array) || !(data instanceof Uint8Array)) return undefined;
    const key = signatureKey(publicKeyPem, signature);
    const digest = sha256(data);
    const remembered = this.entries.get(key);
    const known = remembered !== undefined && bytesEqual(remembered, digest);
    if (known) this.hits++;
    return { key, digest, known };
  }

  private remember(key: string, digest: Uint8Array): void {
    if (this.entries.size >= this.entriesMax && !this.entries.has(key)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, digest);
  }
}

/** One signature under one key, as a map key: the PEM followed by the signature bytes as latin1. */
export const signatureKey = (publicKeyPem: string, signature: Uint8Array): string => publicKeyPem + Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('latin1');
