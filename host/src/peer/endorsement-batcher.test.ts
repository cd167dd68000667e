import { generateSigningKeys, merkleRootOf, rootSigningMessage, Signer, verifySignature } from '@flexchain/sdk/protocol';
import { VerifiedSignatures } from '../identity/verified-signatures';
import { EndorsementBatcher } from './endorsement-batcher';

describe('EndorsementBatcher', () => {
  const keys = generateSigningKeys();
  const responses = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`{"r":${i}}`));

  it('signs the responses of one turn under one root, each with a proof that leads to it, and records the signature as its own', async () => {
    const signatures = new VerifiedSignatures(16);
    const batcher = new EndorsementBatcher(new Signer(keys.privateKey), keys.publicKey, signatures, 64);
    const batch = responses(5);
    const endorsed = await Promise.all(batch.map((r) => batcher.endorse(r)));
    expect(batcher.roots).toBe(1);
    expect(new Set(endorsed.map((e) => Buffer.from(e.signature).toString('hex'))).size).toBe(1);
    endorsed.forEach((e, i) => {
      const root = merkleRootOf(batch[i]!, e.batch)!;
      expect(verifySignature(keys.publicKey, rootSigningMessage(root), e.signature)).toBe(true);
      expect(signatures.verify(keys.publicKey, rootSigningMessage(root), e.signature)).toBe(true);
    });
    expect(signatures.verified).toBe(0);
  });

  it('starts a new batch at batchMax', async () => {
    const batcher = new EndorsementBatcher(new Signer(keys.privateKey), keys.publicKey, new VerifiedSignatures(16), 2);
    const endorsed = await Promise.all(responses(5).map((r) => batcher.endorse(r)));
    expect(batcher.roots).toBe(3);
    expect(endorsed.map((e) => e.batch.count)).toEqual([2, 2, 2, 2, 1]);
  });
});
