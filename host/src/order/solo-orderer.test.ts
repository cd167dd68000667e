import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blockHash, dataHashOf, GENESIS_PREVIOUS_HASH, type Block } from '@flexchain/sdk/protocol';
import { SoloOrderer } from './solo-orderer';

const envelope = (n: number) => ({ payload: new Uint8Array([n]), signature: new Uint8Array([n, n]) });
const limits = { blockTxCountMax: 2, blockBytesMax: 1024, blockTimeoutMs: 60_000 };

describe('SoloOrderer', () => {
  it('cuts hash-chained blocks, delivers them in order, and resumes its log after a restart', async () => {
    const location = join(mkdtempSync(join(tmpdir(), 'flexchain-orderer-')), 'log');
    const orderer = new SoloOrderer({ location, limits });
    await orderer.open();
    const seen: Block[] = [];
    orderer.deliver(0, (b) => void seen.push(b));
    for (let i = 1; i <= 5; i++) await orderer.broadcast(envelope(i));
    await orderer.cutNow();
    await new Promise((r) => setTimeout(r, 20));
    expect(seen.map((b) => b.envelopes.length)).toEqual([0, 2, 2, 1]);
    expect(seen[0]!.header.previousHash).toBe(GENESIS_PREVIOUS_HASH);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]!.header.previousHash).toBe(blockHash(seen[i - 1]!.header));
      expect(seen[i]!.header.dataHash).toBe(dataHashOf(seen[i]!.envelopes));
    }
    await orderer.close();

    const again = new SoloOrderer({ location, limits });
    await again.open();
    expect(again.height).toBe(4);
    const replay: Block[] = [];
    again.deliver(2, (b) => void replay.push(b));
    await again.broadcast(envelope(6));
    await again.broadcast(envelope(7));
    await new Promise((r) => setTimeout(r, 20));
    expect(replay.map((b) => b.header.number)).toEqual([2, 3, 4]);
    expect(replay[2]!.header.previousHash).toBe(blockHash(seen[3]!.header));
    await again.close();
  });
});
