import { canonicalStringify } from '../canonical-json';
import { blockHash, decodeBlock, encodeBlock, MessageMalformedError, type Block } from './messages';

describe('block bytes (flexchain-block/2)', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  const block: Block = {
    header: { number: 3, previousHash: 'a'.repeat(64), dataHash: 'b'.repeat(64), graphHash: 'c'.repeat(64) },
    envelopes: [
      { payload: bytes('{"tx":1}'), signature: new Uint8Array([1, 2, 3]) },
      { payload: new Uint8Array(0), signature: new Uint8Array(64).fill(7) },
    ],
    graph: { dependencies: [[], [0]] },
  };

  it('round-trips header, graph and every envelope byte for byte', () => {
    const decoded = decodeBlock(encodeBlock(block));
    expect(decoded.header).toEqual(block.header);
    expect(blockHash(decoded.header)).toBe(blockHash(block.header));
    expect(decoded.graph).toEqual(block.graph);
    expect(decoded.envelopes.map((e) => [Buffer.from(e.payload).toString('hex'), Buffer.from(e.signature).toString('hex')])).toEqual(
      block.envelopes.map((e) => [Buffer.from(e.payload).toString('hex'), Buffer.from(e.signature).toString('hex')]),
    );
  });

  it('round-trips a block without a graph', () => {
    const plain: Block = { header: { number: 0, previousHash: '0'.repeat(64), dataHash: 'd'.repeat(64) }, envelopes: [] };
    const decoded = decodeBlock(encodeBlock(plain));
    expect(decoded).toEqual(plain);
    expect('graph' in decoded).toBe(false);
  });

  it('still reads blocks of format 1 (canonical JSON with base64 envelopes)', () => {
    const legacy = canonicalStringify({
      header: block.header,
      envelopes: block.envelopes.map((e) => ({ payload: Buffer.from(e.payload).toString('base64'), signature: Buffer.from(e.signature).toString('base64') })),
      graph: block.graph,
    });
    const decoded = decodeBlock(bytes(legacy));
    expect(decoded.header).toEqual(block.header);
    expect(Buffer.from(decoded.envelopes[1]!.signature).equals(Buffer.from(block.envelopes[1]!.signature))).toBe(true);
  });

  it('refuses cut, padded, forged-count and unknown-format bytes with MessageMalformedError', () => {
    const good = encodeBlock(block);
    const forgedCount = Uint8Array.from(good);
    const countAt = 1 + 4 + new DataView(good.buffer, good.byteOffset).getUint32(1);
    const graphLength = new DataView(good.buffer, good.byteOffset).getUint32(countAt);
    new DataView(forgedCount.buffer).setUint32(countAt + 4 + graphLength, 0xffffffff);
    for (const bad of [good.subarray(0, good.length - 1), good.subarray(0, 3), Uint8Array.from([...good, 0]), forgedCount, Uint8Array.from([9, ...good.subarray(1)])]) {
      expect(() => decodeBlock(bad)).toThrow(MessageMalformedError);
    }
  });

  it('keeps a malformed graph readable as no graph, so the peer rebuilds it', () => {
    const good = encodeBlock({ ...block, graph: { dependencies: [[], [0]] } });
    const view = new DataView(good.buffer, good.byteOffset);
    const graphAt = 1 + 4 + view.getUint32(1) + 4;
    const broken = Uint8Array.from(good);
    broken[graphAt] = 0x21; // '!' where '{' was
    expect(decodeBlock(broken).graph).toBeUndefined();
  });
});
