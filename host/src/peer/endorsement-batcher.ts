// A cNode's endorsement signatures, one per batch: responses endorsed in one
// turn of the event loop (up to endorsementBatchMax) share one Ed25519
// signature over their Merkle root, and each gets its inclusion proof
// (sdk protocol/endorsement-batch.ts). The signature is recorded as the peer's
// own, so V1 on this peer checks it by hash alone.

import { merkleBatch, rootSigningMessage, type MerkleProof, type Signer } from '@flexchain/sdk/protocol';
import type { VerifiedSignatures } from '../identity/verified-signatures';

export interface BatchEndorsement {
  readonly signature: Uint8Array;
  readonly batch: MerkleProof;
}

interface Waiting {
  readonly response: Uint8Array;
  readonly resolve: (endorsement: BatchEndorsement) => void;
  readonly reject: (err: unknown) => void;
}

export class EndorsementBatcher {
  private waiting: Waiting[] = [];
  /** Roots signed, and responses endorsed: their ratio is the mean batch size. */
  roots = 0;
  endorsed = 0;

  constructor(
    private readonly signer: Signer,
    private readonly publicKeyPem: string,
    private readonly signatures: VerifiedSignatures,
    /** Most responses under one root. */
    private readonly batchMax: number,
  ) {}

  endorse(response: Uint8Array): Promise<BatchEndorsement> {
    return new Promise((resolve, reject) => {
      if (this.waiting.length === 0) setImmediate(this.flush);
      this.waiting.push({ response, resolve, reject });
      if (this.waiting.length >= this.batchMax) this.flush();
    });
  }

  private readonly flush = (): void => {
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    try {
      const { root, proofs } = merkleBatch(batch.map((w) => w.response));
      const message = rootSigningMessage(root);
      const signature = this.signer.sign(message);
      this.signatures.record(this.publicKeyPem, message, signature);
      this.roots++;
      this.endorsed += batch.length;
      batch.forEach((w, i) => w.resolve({ signature, batch: proofs[i]! }));
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  };
}
