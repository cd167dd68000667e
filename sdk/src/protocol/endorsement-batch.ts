// Batch endorsement: an endorser signs one Merkle root over the responses it
// endorsed in a batch, instead of each response, and gives each response its
// inclusion path. A validator recomputes the root from the response and the
// path and checks the root's signature, which it needs to verify only once
// per batch (docs/transaction-format.md).
//
// leaf = sha256(0x00 || response bytes); node = sha256(0x01 || left || right);
// an odd node at the end of a level is carried up unchanged. What is signed is
// ROOT_SIGNING_PREFIX followed by the 32-byte root: a response is canonical JSON
// and starts with '{', so a root signature can never pass for one over a response.

import { sha256Of } from './signing';

/** Deepest inclusion path accepted: batches of up to 2^20 responses. */
export const MERKLE_PATH_LENGTH_MAX = 20;
export const MERKLE_NODE_BYTES = 32;
const LEAF_TAG = Uint8Array.of(0);
const NODE_TAG = Uint8Array.of(1);
const ROOT_SIGNING_PREFIX = new TextEncoder().encode('flexchain-endorsement-root/1\u0000');

/** Where a response sits in its batch of `count`, and the sibling hashes from its leaf up to the root. */
export interface MerkleProof {
  readonly index: number;
  readonly count: number;
  readonly path: readonly Uint8Array[];
}

const sha = (...parts: Uint8Array[]): Uint8Array => sha256Of(parts);

export const merkleLeaf = (response: Uint8Array): Uint8Array => sha(LEAF_TAG, response);

/** The root over `responses` and each one's proof. */
export function merkleBatch(responses: readonly Uint8Array[]): { root: Uint8Array; proofs: MerkleProof[] } {
  let level = responses.map(merkleLeaf);
  const paths: Uint8Array[][] = responses.map(() => []);
  // positions[i]: where response i's ancestor sits in the current level.
  let positions = responses.map((_, i) => i);
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha(NODE_TAG, level[i]!, level[i + 1]!) : level[i]!);
    positions = positions.map((p, i) => {
      const sibling = p ^ 1;
      if (sibling < level.length) paths[i]!.push(level[sibling]!);
      return p >> 1;
    });
    level = next;
  }
  return { root: level[0]!, proofs: responses.map((_, i) => ({ index: i, count: responses.length, path: paths[i]! })) };
}

/**
 * The root a proof leads to from `response`, or undefined if the proof cannot
 * be one (an index outside the batch, a path of the wrong length or with nodes
 * of the wrong size). The batch size fixes the tree's shape, so every path is
 * read one way only.
 */
export function merkleRootOf(response: Uint8Array, proof: MerkleProof): Uint8Array | undefined {
  const { index, count, path } = proof;
  if (!Number.isSafeInteger(count) || count < 1 || count > 2 ** MERKLE_PATH_LENGTH_MAX) return undefined;
  if (!Number.isSafeInteger(index) || index < 0 || index >= count || !Array.isArray(path)) return undefined;
  let node = merkleLeaf(response);
  let position = index;
  let used = 0;
  for (let size = count; size > 1; size = Math.ceil(size / 2), position >>= 1) {
    const hasSibling = (position & 1) === 1 || position + 1 < size;
    if (!hasSibling) continue;
    const sibling = path[used++];
    if (!(sibling instanceof Uint8Array) || sibling.length !== MERKLE_NODE_BYTES) return undefined;
    node = (position & 1) === 1 ? sha(NODE_TAG, sibling, node) : sha(NODE_TAG, node, sibling);
  }
  return used === path.length ? node : undefined;
}

/** The bytes an endorser signs for a batch with this root. */
export function rootSigningMessage(root: Uint8Array): Uint8Array {
  const message = new Uint8Array(ROOT_SIGNING_PREFIX.length + root.length);
  message.set(ROOT_SIGNING_PREFIX);
  message.set(root, ROOT_SIGNING_PREFIX.length);
  return message;
}
