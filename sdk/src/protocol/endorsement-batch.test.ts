import { merkleBatch, merkleRootOf } from './endorsement-batch';

describe('endorsement batches (Merkle roots)', () => {
  const responses = (n: number) => Array.from({ length: n }, (_, i) => new TextEncoder().encode(`{"response":${i}}`));

  it.each([1, 2, 3, 5, 8, 13, 32, 33])('every response of a batch of %i leads to the batch root, and only its own', (n) => {
    const batch = responses(n);
    const { root, proofs } = merkleBatch(batch);
    batch.forEach((response, i) => {
      expect(Buffer.from(merkleRootOf(response, proofs[i]!)!).equals(Buffer.from(root))).toBe(true);
      const other = new TextEncoder().encode('{"response":"forged"}');
      expect(Buffer.from(merkleRootOf(other, proofs[i]!) ?? []).equals(Buffer.from(root))).toBe(false);
    });
  });

  it('refuses proofs of the wrong shape', () => {
    const batch = responses(5);
    const { proofs } = merkleBatch(batch);
    const proof = proofs[2]!;
    expect(merkleRootOf(batch[2]!, { ...proof, index: 5 })).toBeUndefined();
    expect(merkleRootOf(batch[2]!, { ...proof, count: 0 })).toBeUndefined();
    expect(merkleRootOf(batch[2]!, { ...proof, path: proof.path.slice(1) })).toBeUndefined();
    expect(merkleRootOf(batch[2]!, { ...proof, path: [...proof.path, new Uint8Array(32)] })).toBeUndefined();
    expect(merkleRootOf(batch[2]!, { ...proof, path: [new Uint8Array(31), ...proof.path.slice(1)] })).toBeUndefined();
    expect(merkleRootOf(batch[2]!, { ...proof, count: 2 ** 30 })).toBeUndefined();
  });
});
