import { decodeTransaction, encodeProposal, encodeTransaction, generateSigningKeys, merkleBatch, newProposal, rootSigningMessage, Signer, type Signed } from '@flexchain/sdk/protocol';
import { Membership } from '../identity/msp';
import { InlineSignatureVerifier, ThreadSignatureVerifier, type SignatureCheck, type SignatureVerifier } from '../identity/signature-verifier';
import { VerifiedSignatures } from '../identity/verified-signatures';
import { BlockSignatures } from './block-signatures';

const clientKeys = generateSigningKeys();
const peerKeys = generateSigningKeys();
const forgerKeys = generateSigningKeys();
const membership = new Membership([
  { mspId: 'Org1MSP', id: 'client', role: 'client', publicKey: clientKeys.publicKey },
  { mspId: 'Org1MSP', id: 'peer0', role: 'peer', publicKey: peerKeys.publicKey },
]);
const client = new Signer(clientKeys.privateKey);
const peer = new Signer(peerKeys.privateKey);
const forger = new Signer(forgerKeys.privateKey);
const bytes = (text: string) => new TextEncoder().encode(text);

/** `count` transactions whose responses the peer endorsed under one Merkle root; the creator signs each with `signer`. */
function batch(count: number, signers: (i: number) => Signer = () => client): Signed[] {
  const responses = Array.from({ length: count }, (_, i) => bytes(`{"response":${i}}`));
  const { root, proofs } = merkleBatch(responses);
  const signature = peer.sign(rootSigningMessage(root));
  return responses.map((response, i) => {
    const proposal = encodeProposal(newProposal({ channelId: 'ch', contract: 'bank', fn: 'pay', args: [i], creator: { mspId: 'Org1MSP', id: 'client' }, timestamp: { seconds: 1, nanos: 0 } }));
    const payload = encodeTransaction({ proposal, response, endorsements: [{ endorser: { mspId: 'Org1MSP', id: 'peer0' }, signature, batch: proofs[i]! }] });
    return signers(i).signed(payload);
  });
}

const responseOf = (envelope: Signed) => {
  const content = decodeTransaction(envelope.payload);
  return { endorsement: content.endorsements[0]!, response: content.response };
};

/** Counts the checks a verifier is given. */
class Counting implements SignatureVerifier {
  checks = 0;
  constructor(private readonly inner: SignatureVerifier) {}
  verify(checks: readonly SignatureCheck[]) {
    this.checks += checks.length;
    return this.inner.verify(checks);
  }
  close() {
    return this.inner.close();
  }
}

describe.each([
  ['on the main thread', () => new InlineSignatureVerifier()],
  ['on a worker thread', () => new ThreadSignatureVerifier(2)],
])('a block’s signatures verified ahead of V1, %s', (_, makeVerifier) => {
  let verifier: SignatureVerifier;
  beforeAll(() => {
    verifier = makeVerifier();
  });
  afterAll(() => verifier.close());

  it('marks valid creator and endorsement signatures verified, and a forged creator signature not', async () => {
    const envelopes = batch(4, (i) => (i === 2 ? forger : client));
    const result = await BlockSignatures.verify(envelopes, membership, new VerifiedSignatures(16), verifier);
    expect(envelopes.map((e) => result.creatorVerified(e, clientKeys.publicKey))).toEqual([true, true, false, true]);
    for (const e of envelopes) {
      const { endorsement, response } = responseOf(e);
      expect(result.endorsementVerified(endorsement, peerKeys.publicKey, response)).toBe(true);
      // Only for the key and the bytes that were verified.
      expect(result.endorsementVerified(endorsement, forgerKeys.publicKey, response)).toBe(false);
      expect(result.endorsementVerified(endorsement, peerKeys.publicKey, new Uint8Array(response))).toBe(false);
    }
    expect(result.creatorVerified(envelopes[0]!, forgerKeys.publicKey)).toBe(false);
    expect(result.creatorVerified({ ...envelopes[0]! }, clientKeys.publicKey)).toBe(false);
  });

  it('checks one batch root once per block, and not at all once it is known', async () => {
    const counting = new Counting(verifier);
    const known = new VerifiedSignatures(16);
    const envelopes = batch(8);
    await BlockSignatures.verify(envelopes, membership, known, counting);
    expect(counting.checks).toBe(8 + 1);
    counting.checks = 0;
    const again = await BlockSignatures.verify(envelopes, membership, known, counting);
    expect(counting.checks).toBe(8);
    const { endorsement, response } = responseOf(envelopes[5]!);
    expect(again.endorsementVerified(endorsement, peerKeys.publicKey, response)).toBe(true);
  });

  it('marks nothing for a tampered response, an unknown creator or a malformed envelope', async () => {
    const [original] = batch(1);
    const content = decodeTransaction(original!.payload);
    const tampered = client.signed(encodeTransaction({ ...content, response: bytes('{"response":"forged"}') }));
    const result = await BlockSignatures.verify([tampered], membership, new VerifiedSignatures(16), verifier);
    expect(result.creatorVerified(tampered, clientKeys.publicKey)).toBe(true);
    const forged = responseOf(tampered);
    expect(result.endorsementVerified(forged.endorsement, peerKeys.publicKey, forged.response)).toBe(false);

    const withoutClient = new Membership([{ mspId: 'Org1MSP', id: 'peer0', role: 'peer', publicKey: peerKeys.publicKey }]);
    const garbage = client.signed(bytes('not a transaction'));
    const [good] = batch(1);
    const none = await BlockSignatures.verify([good!, garbage], withoutClient, new VerifiedSignatures(16), verifier);
    expect(none.creatorVerified(good!, clientKeys.publicKey)).toBe(false);
    expect(none.creatorVerified(garbage, clientKeys.publicKey)).toBe(false);
  });
});

describe('a worker-thread verifier', () => {
  it('answers false for what a dead thread was given, and starts a new thread for the next batch', async () => {
    const verifier = new ThreadSignatureVerifier(1);
    const data = bytes('signed');
    const check = { publicKey: client.publicKey, message: data, signature: client.sign(data) };
    expect(await verifier.verify([check])).toEqual([true]);
    const lanes = (verifier as unknown as { lanes: { worker: { terminate(): Promise<number> } }[] }).lanes;
    const pending = verifier.verify([check, check]);
    await lanes[0]!.worker.terminate();
    expect(await pending).toEqual([false, false]);
    expect(await verifier.verify([check, { ...check, signature: forger.sign(data) }])).toEqual([true, false]);
    await verifier.close();
    expect(await verifier.verify([check])).toEqual([false]);
  });
});

describe('waiting for a block’s signature threads', () => {
  it('takes their result when it comes in time, and nothing from threads that do not answer', async () => {
    const [envelope] = batch(1);
    const verified = await BlockSignatures.verify([envelope!], membership, new VerifiedSignatures(16), new InlineSignatureVerifier());
    expect(await BlockSignatures.within(Promise.resolve(verified), 1000)).toBe(verified);
    const stuck = new Promise<BlockSignatures>(() => undefined);
    const started = performance.now();
    const result = await BlockSignatures.within(stuck, 50);
    expect(result).toBe(BlockSignatures.none);
    expect(result.creatorVerified(envelope!, clientKeys.publicKey)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
