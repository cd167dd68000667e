// The signatures of a block, verified ahead of V1. When a block arrives the
// peer collects every signature V1 will check (each creator's over its
// envelope, each endorser's over its response or batch root), has them
// verified off the main thread (signature-verifier.ts), and hands V1 the
// result. V1 still does every other check; for a signature it finds here it
// skips the Merkle root and the Ed25519 verification, and any signature not
// found here it verifies itself.
//
// Entries are keyed by the decoded objects V1 reads (decodes are cached per
// byte array, so both steps see the same objects) and hold the exact key and
// bytes that were verified, which V1 compares by identity.

import { bytesEqual } from '@flexchain/sdk';
import { decodeProposal, decodeTransaction, merkleRootOf, publicKeyOf, rootSigningMessage, type Endorsement, type Signed } from '@flexchain/sdk/protocol';
import type { Membership } from '../identity/msp';
import type { SignatureCheck, SignatureVerifier } from '../identity/signature-verifier';
import { signatureKey, type VerifiedSignatures } from '../identity/verified-signatures';

interface Verified {
  readonly publicKeyPem: string;
  /** The envelope payload or the response the signature was checked over. */
  readonly bytes: Uint8Array;
}

export class BlockSignatures {
  private readonly creators = new WeakMap<Signed, Verified>();
  private readonly endorsements = new WeakMap<Endorsement, Verified>();

  /** Whether the envelope's creator signature was verified with this key over its payload. */
  creatorVerified(envelope: Signed, publicKeyPem: string): boolean {
    const v = this.creators.get(envelope);
    return v !== undefined && v.publicKeyPem === publicKeyPem && v.bytes === envelope.payload;
  }

  /** Whether the endorsement's signature was verified with this key over `response` (and its batch path). */
  endorsementVerified(endorsement: Endorsement, publicKeyPem: string, response: Uint8Array): boolean {
    const v = this.endorsements.get(endorsement);
    return v !== undefined && v.publicKeyPem === publicKeyPem && v.bytes === response;
  }

  /** Nothing verified: V1 checks every signature itself. */
  static readonly none = new BlockSignatures();

  /** What `pending` verified, or nothing if it takes longer than `waitMs`: V1 never waits on a stuck thread. */
  static within(pending: Promise<BlockSignatures>, waitMs: number): Promise<BlockSignatures> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<BlockSignatures>((resolve) => {
      timer = setTimeout(() => resolve(BlockSignatures.none), waitMs);
    });
    return Promise.race([pending, deadline]).finally(() => clearTimeout(timer));
  }

  /**
   * Verifies the block's signatures with `verifier`. Endorsement signatures the
   * peer already knows (its own, or verified before) are not sent again; those
   * verified now are remembered in `known` for later blocks.
   */
  static async verify(envelopes: readonly Signed[], membership: Membership, known: VerifiedSignatures, verifier: SignatureVerifier): Promise<BlockSignatures> {
    const result = new BlockSignatures();
    const checks: SignatureCheck[] = [];
    /** What to record for each check that verifies: several endorsements of one batch share its root's check. */
    const onValid: (() => void)[][] = [];
    const checkOfSignature = new Map<string, number>();
    const add = (check: SignatureCheck, publicKeyPem: string, record: () => void) => {
      const id = signatureKey(publicKeyPem, check.signature);
      const at = checkOfSignature.get(id);
      if (at !== undefined && bytesEqual(checks[at]!.message, check.message)) return void onValid[at]!.push(record);
      checkOfSignature.set(id, checks.length);
      checks.push(check);
      onValid.push([record]);
    };
    for (const envelope of envelopes) {
      let content;
      let creator;
      try {
        content = decodeTransaction(envelope.payload);
        const proposal = decodeProposal(content.proposal);
        creator = membership.get(proposal.creator.mspId, proposal.creator.id);
      } catch {
        continue; // V1 refuses it as malformed.
      }
      const creatorKey = creator && publicKeyOf(creator.publicKey);
      if (creator && creatorKey && envelope.signature instanceof Uint8Array) {
        const verified = { publicKeyPem: creator.publicKey, bytes: envelope.payload };
        add({ publicKey: creatorKey, message: envelope.payload, signature: envelope.signature }, creator.publicKey, () => result.creators.set(envelope, verified));
      }
      for (const e of content.endorsements) {
        const endorser = membership.get(e.endorser.mspId, e.endorser.id);
        const endorserKey = endorser && publicKeyOf(endorser.publicKey);
        if (!endorser || !endorserKey || !(e.signature instanceof Uint8Array)) continue;
        const root = e.batch ? merkleRootOf(content.response, e.batch) : undefined;
        if (e.batch && !root) continue;
        const message = root ? rootSigningMessage(root) : content.response;
        const verified = { publicKeyPem: endorser.publicKey, bytes: content.response };
        if (known.has(endorser.publicKey, message, e.signature)) {
          result.endorsements.set(e, verified);
          continue;
        }
        add({ publicKey: endorserKey, message, signature: e.signature }, endorser.publicKey, () => {
          result.endorsements.set(e, verified);
          known.record(endorser.publicKey, message, e.signature);
        });
      }
    }
    const valid = await verifier.verify(checks);
    valid.forEach((ok, i) => {
      if (ok) for (const record of onValid[i]!) record();
    });
    return result;
  }
}
