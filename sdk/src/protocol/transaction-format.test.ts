import { canonicalStringify } from '../canonical-json';
import { decodeProposal, decodeTransaction, encodeProposal, encodeTransaction, MessageMalformedError, newProposal, TRANSACTION_FORMAT_BINARY, type TransactionContent } from './messages';

describe('transaction bytes (flexchain-tx/2)', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  const content: TransactionContent = {
    proposal: bytes('{"fn":"pay"}'),
    response: bytes('{"txId":"t"}'),
    endorsements: [
      { endorser: { mspId: 'Org1MSP', id: 'peer0' }, signature: new Uint8Array(64).fill(7), batch: { index: 5, count: 9, path: [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)] } },
      { endorser: { mspId: 'Org2MSP', id: 'pëer1' }, signature: new Uint8Array(64).fill(3) },
    ],
  };
  const summary = (t: TransactionContent) => ({
    proposal: hex(t.proposal),
    response: hex(t.response),
    endorsements: t.endorsements.map((e) => ({ ...e.endorser, signature: hex(e.signature), batch: e.batch && { index: e.batch.index, count: e.batch.count, path: e.batch.path.map(hex) } })),
  });

  it('round-trips proposal, response and endorsements byte for byte, with no JSON or base64', () => {
    const encoded = encodeTransaction(content);
    expect(encoded[0]).toBe(TRANSACTION_FORMAT_BINARY);
    expect(summary(decodeTransaction(encoded))).toEqual(summary(content));
    // The same content always gives the same bytes: the client signs them.
    expect(hex(encodeTransaction(content))).toBe(hex(encoded));
  });

  it('still reads transactions of format 1 (canonical JSON with base64 fields)', () => {
    const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
    const legacy = canonicalStringify({
      proposal: b64(content.proposal),
      response: b64(content.response),
      endorsements: content.endorsements.map((e) => ({
        mspId: e.endorser.mspId,
        id: e.endorser.id,
        signature: b64(e.signature),
        ...(e.batch ? { batch: { index: e.batch.index, count: e.batch.count, path: e.batch.path.map(b64) } } : {}),
      })),
    });
    expect(summary(decodeTransaction(bytes(legacy)))).toEqual(summary(content));
  });

  it('refuses truncated, padded, unknown and malformed bytes, naming what is wrong', () => {
    const encoded = encodeTransaction(content);
    const refuse = (b: Uint8Array, message: RegExp) => {
      expect(() => decodeTransaction(b)).toThrow(MessageMalformedError);
      expect(() => decodeTransaction(b)).toThrow(message);
    };
    for (const cut of [1, 5, 20, encoded.length - 1]) refuse(encoded.slice(0, cut), /transaction ends inside/);
    refuse(Uint8Array.from([...encoded, 0]), /1 bytes after its last endorsement/);
    refuse(Uint8Array.of(0x07, 0, 0), /no known transaction format/);
    // The first endorsement's batch flag sits after its names and signature.
    const flagAt = 1 + 4 + content.proposal.length + 4 + content.response.length + 2 + 2 + 7 + 2 + 5 + 2 + 64;
    expect(encoded[flagAt]).toBe(1);
    const badFlag = encoded.slice();
    badFlag[flagAt] = 2;
    refuse(badFlag, /batch flag is 2/);
    const longPath = encoded.slice();
    longPath[flagAt + 9] = 21;
    refuse(longPath, /path has 21 nodes/);
    // A name that is not UTF-8 would decode to U+FFFD and could alias another organisation.
    const badName = encoded.slice();
    badName[1 + 4 + content.proposal.length + 4 + content.response.length + 2 + 2] = 0xff;
    refuse(badName, /mspId is not UTF-8/);
  });

  it('refuses to encode what the format cannot hold', () => {
    const batch = { index: 2 ** 32, count: 1, path: [] };
    expect(() => encodeTransaction({ ...content, endorsements: [{ ...content.endorsements[0]!, batch }] })).toThrow(/below 2\^32/);
    const shortNode = { index: 0, count: 2, path: [new Uint8Array(31)] };
    expect(() => encodeTransaction({ ...content, endorsements: [{ ...content.endorsements[0]!, batch: shortNode }] })).toThrow(/nodes of 32 bytes/);
  });

  it('decodes a proposal once per process: the copy a transaction carries gives the object decoded at endorsement', () => {
    const signedBytes = encodeProposal(newProposal({ channelId: 'ch', contract: 'bank', fn: 'pay', args: [1], creator: { mspId: 'Org1MSP', id: 'client' }, timestamp: { seconds: 1, nanos: 0 } }));
    const atEndorsement = decodeProposal(signedBytes);
    const carried = decodeTransaction(encodeTransaction({ ...content, proposal: signedBytes })).proposal;
    expect(carried).not.toBe(signedBytes);
    expect(decodeProposal(carried)).toBe(atEndorsement);
    // Other bytes decode to their own proposal.
    const other = encodeProposal(newProposal({ channelId: 'ch', contract: 'bank', fn: 'pay', args: [2], creator: { mspId: 'Org1MSP', id: 'client' }, timestamp: { seconds: 1, nanos: 0 } }));
    expect(decodeProposal(other).args).toEqual([2]);
  });
});
