// Stub conformance suite: what every world-state implementation must do when it
// runs a contract. The mocked world state runs it in unit tests; the host runs
// the same suite against a real network. A contract's unit tests and the network
// can only agree if both pass.

import { utf8Decode, utf8Encode, type ChaincodeEvent, type IdentityInfo, type RwSet, type TxValidationCodeName, type Version } from '@flexchain/sdk';

export interface ConformanceCallOptions {
  as?: IdentityInfo;
  txId?: string;
  timestamp?: Date;
}

/** A simulated (endorsed, not yet committed) call. */
export interface ConformanceSimulation {
  readonly txId: string;
  readonly result: unknown;
  readonly rwset: RwSet;
  readonly events: readonly ChaincodeEvent[];
}

export interface ConformanceReceipt {
  readonly txId: string;
  readonly code: TxValidationCodeName;
  readonly blockNum: number;
  readonly txNum: number;
}

/** What the suite needs from a world-state implementation with ConformanceContract deployed. */
export interface ConformanceTarget {
  readonly channelId: string;
  simulate(fn: string, args: readonly unknown[], options?: ConformanceCallOptions): Promise<ConformanceSimulation>;
  /** Orders the simulations into one block, in the order given, and validates it. */
  commit(...txs: ConformanceSimulation[]): Promise<readonly ConformanceReceipt[]>;
  /**
   * Commits raw entries (strings stored as UTF-8) so tests start from known state.
   * On a network the tx id derives from a nonce; `options.txId` then picks the
   * nonce, so the same value still yields the same tx id.
   */
  seed(entries: Record<string, string>): Promise<void>;
  committed(key: string): Promise<{ value: Uint8Array; version: Version } | undefined>;
  close(): Promise<void>;
}

export function describeStubConformance(label: string, makeTarget: () => Promise<ConformanceTarget>): void {
  describe(`stub conformance: ${label}`, () => {
    let target: ConformanceTarget;
    beforeEach(async () => {
      target = await makeTarget();
    });
    afterEach(async () => {
      await target.close();
    });

    const submit = async (fn: string, ...args: unknown[]) => {
      const tx = await target.simulate(fn, args);
      const [receipt] = await target.commit(tx);
      expect(receipt?.code).toBe('VALID');
      return { ...tx, ...receipt! };
    };
    const committedText = async (key: string) => {
      const entry = await target.committed(key);
      return entry && utf8Decode(entry.value);
    };

    describe('point reads and writes', () => {
      it('commits a write with version (blockNum, txNum) and reads it back', async () => {
        const receipt = await submit('put', 'k1', 'v1');
        expect(await committedText('k1')).toBe('v1');
        expect((await target.committed('k1'))?.version).toEqual({ blockNum: receipt.blockNum, txNum: receipt.txNum });
        expect((await target.simulate('get', ['k1'])).result).toBe('v1');
      });

      it('records a read of a committed key with its version, and of an absent key with none', async () => {
        const receipt = await submit('put', 'k1', 'v1');
        const present = await target.simulate('get', ['k1']);
        expect(present.rwset.reads).toEqual([{ key: 'k1', version: { blockNum: receipt.blockNum, txNum: receipt.txNum } }]);
        const absent = await target.simulate('get', ['nope']);
        expect(absent.result).toBeUndefined();
        expect(absent.rwset.reads).toEqual([{ key: 'nope' }]);
        expect(absent.rwset.writes).toEqual([]);
      });

      it('reads its own writes without adding them to the read set', async () => {
        await target.seed({ k: 'old' });
        const tx = await target.simulate('putThenGet', ['k', 'new']);
        expect(tx.result).toEqual(['old', 'new']);
        expect(tx.rwset.reads.map((r) => r.key)).toEqual(['k']);
        expect(tx.rwset.writes).toEqual([{ key: 'k', isDelete: false, value: utf8Encode('new') }]);
        const fresh = await target.simulate('putThenGet', ['fresh', 'x']);
        expect(fresh.result).toEqual([undefined, 'x']);
        expect(fresh.rwset.reads).toEqual([{ key: 'fresh' }]);
      });

      it('deletes: a deleted key reads as absent in the transaction and after commit', async () => {
        await target.seed({ gone: 'soon' });
        const tx = await target.simulate('deleteThenGet', ['gone']);
        expect(tx.result).toBeUndefined();
        expect(tx.rwset.writes).toEqual([{ key: 'gone', isDelete: true, value: new Uint8Array(0) }]);
        expect((await target.commit(tx))[0]?.code).toBe('VALID');
        expect(await target.committed('gone')).toBeUndefined();
      });

      it('stores JSON canonically: sorted keys, no whitespace', async () => {
        await submit('putJSON', 'doc', { zeta: 1, alpha: { y: [1, 2], x: 'a' } });
        expect(await committedText('doc')).toBe('{"alpha":{"x":"a","y":[1,2]},"zeta":1}');
      });

      it('a transaction that throws rolls back: simulation fails and nothing is committed', async () => {
        await target.seed({ keep: 'original' });
        await expect(target.simulate('putThenFail', ['keep', 'changed'])).rejects.toThrow('deliberate failure after writing keep');
        expect(await committedText('keep')).toBe('original');
      });

      it('an @Evaluate transaction cannot write', async () => {
        await expect(target.simulate('writeInEvaluate', ['k'])).rejects.toThrow(/putState is not allowed in "writeInEvaluate"/);
      });
    });

    describe('key and value rules', () => {
      it('rejects an empty key', async () => {
        await expect(target.simulate('put', ['', 'v'])).rejects.toThrow('Key must not be empty');
      });

      it('rejects a key in the reserved composite namespace', async () => {
        await expect(target.simulate('put', ['\u0000raw', 'v'])).rejects.toThrow(/reserved prefix U\+0000/);
      });

      it('rejects a key longer than keyBytesMax', async () => {
        await expect(target.simulate('put', ['k'.repeat(1025), 'v'])).rejects.toThrow(/exceeds keyBytesMax \(1024 bytes\)/);
      });

      it('rejects a value larger than valueBytesMax', async () => {
        await expect(target.simulate('putSized', ['big', 1024 * 1024 + 1])).rejects.toThrow(/over valueBytesMax/);
        await expect(target.simulate('putSized', ['ok', 1024])).resolves.toBeDefined();
      });
    });

    describe('range queries', () => {
      const keys = ['a', 'b', 'b1', 'c', 'é', '\uE000', '\u{1F600}'];
      beforeEach(async () => {
        await target.seed(Object.fromEntries(keys.map((k) => [k, `v-${k}`])));
      });

      it('orders by UTF-8 bytes: start inclusive, end exclusive, empty bounds open', async () => {
        expect((await target.simulate('rangeKeys', ['', ''])).result).toEqual(['a', 'b', 'b1', 'c', 'é', '\uE000', '\u{1F600}']);
        expect((await target.simulate('rangeKeys', ['b', 'c'])).result).toEqual(['b', 'b1']);
        expect((await target.simulate('rangeKeys', ['\uE000', ''])).result).toEqual(['\uE000', '\u{1F600}']);
      });

      it('does not return composite keys from a simple range', async () => {
        await submit('putComposite', 'color', ['red'], 'x');
        expect((await target.simulate('rangeKeys', ['', ''])).result).not.toContainEqual(expect.stringContaining('\u0000'));
      });

      it('rejects a start after the end', async () => {
        await expect(target.simulate('rangeKeys', ['c', 'a'])).rejects.toThrow(/startKey "c" is after endKey "a"/);
      });

      it("merges the transaction's own writes and deletes into the results", async () => {
        const tx = await target.simulate('writeThenRange', [['b0', 'z'], ['b1'], 'b', 'd']);
        expect(tx.result).toEqual(['b', 'b0', 'c']);
        expect(tx.rwset.rangeQueries).toEqual([
          { startKey: 'b', endKey: 'd', reads: [{ key: 'b', version: expect.any(Object) }, { key: 'b1', version: expect.any(Object) }, { key: 'c', version: expect.any(Object) }] },
        ]);
      });

      it('records a complete scan for the phantom check, with versions', async () => {
        const tx = await target.simulate('rangeKeys', ['b', 'c']);
        const b = await target.committed('b');
        expect(tx.rwset.rangeQueries).toEqual([{ startKey: 'b', endKey: 'c', reads: [{ key: 'b', version: b!.version }, { key: 'b1', version: expect.any(Object) }] }]);
        expect(tx.rwset.reads).toEqual([]);
      });

      it('an early-stopped scan covers only what the contract saw', async () => {
        const tx = await target.simulate('rangeKeysUpTo', ['a', '', 2]);
        expect(tx.result).toEqual(['a', 'b']);
        expect(tx.rwset.rangeQueries).toEqual([{ startKey: 'a', endKey: 'b\u0000', reads: [expect.objectContaining({ key: 'a' }), expect.objectContaining({ key: 'b' })] }]);
        await submit('put', 'b0', 'after the scan');
        expect((await target.commit(tx))[0]?.code).toBe('VALID');
      });

      it('paginates with bookmarks, each record once', async () => {
        const seen: string[] = [];
        let bookmark = '';
        for (let pages = 0; pages < 10; pages++) {
          const page = (await target.simulate('page', ['', '', 3, bookmark])).result as { keys: string[]; bookmark: string; count: number };
          expect(page.count).toBe(page.keys.length);
          seen.push(...page.keys);
          bookmark = page.bookmark;
          if (bookmark === '') break;
        }
        expect(seen).toEqual(keys);
      });

      it('rejects a page size of 0 and a bookmark outside the range', async () => {
        await expect(target.simulate('page', ['a', 'c', 0])).rejects.toThrow(/Page size must be an integer from 1/);
        await expect(target.simulate('page', ['a', 'c', 2, 'x'])).rejects.toThrow(/Bookmark "x" lies outside/);
      });
    });

    describe('composite keys', () => {
      it('finds keys by partial composite key and splits them', async () => {
        await submit('putComposite', 'owner~asset', ['alice', 'a1'], '1');
        await submit('putComposite', 'owner~asset', ['alice', 'a2'], '2');
        await submit('putComposite', 'owner~asset', ['bob', 'b1'], '3');
        await submit('putComposite', 'owner~assetX', ['alice', 'zz'], '4');
        expect((await target.simulate('partialComposite', ['owner~asset', ['alice']])).result).toEqual([
          ['owner~asset', 'alice', 'a1'],
          ['owner~asset', 'alice', 'a2'],
        ]);
        expect((await target.simulate('partialComposite', ['owner~asset', []])).result).toHaveLength(3);
      });

      it('rejects a composite key part containing U+0000', async () => {
        await expect(target.simulate('putComposite', ['t', ['a\u0000b'], 'v'])).rejects.toThrow(/contains U\+0000/);
      });
    });

    describe('events, identity, time and channel', () => {
      it('returns events set by the transaction', async () => {
        const tx = await target.simulate('emit', ['Transferred', '{"amount":5}']);
        expect(tx.events).toEqual([{ name: 'Transferred', payload: utf8Encode('{"amount":5}') }]);
      });

      it('exposes tx id, proposal timestamp, channel and caller identity', async () => {
        const timestamp = new Date('2030-05-06T07:08:09.123Z');
        const tx = await target.simulate('env', [], {
          txId: 'a'.repeat(64),
          timestamp,
          as: { mspId: 'Org2MSP', id: 'auditor', attributes: { department: 'audit' } },
        });
        expect(tx.txId).toMatch(/^[0-9a-f]{64}$/);
        expect(tx.result).toEqual({
          txId: tx.txId,
          seconds: Math.floor(timestamp.getTime() / 1000),
          nanos: 123_000_000,
          iso: '2030-05-06T07:08:09.123Z',
          channel: target.channelId,
          mspId: 'Org2MSP',
          id: 'auditor',
          department: 'audit',
        });
      });
    });

    describe('arguments and results', () => {
      it('validates and converts typed arguments; bigint survives the round trip', async () => {
        const tx = await target.simulate('typed', ['ann', 3, '12345678901234567890', true, { memo: 'hi', tags: ['x', 'y'] }]);
        expect(tx.result).toEqual({ name: 'ann', count: 3, doubled: 24691357802469135780n, flag: true, memo: 'hi', tags: 2 });
        expect((await target.simulate('typed', ['ann', 3, 5n, false])).result).toEqual({ name: 'ann', count: 3, doubled: 10n, flag: false, tags: 0 });
      });

      it('names the parameter and the expected type when an argument is wrong', async () => {
        await expect(target.simulate('typed', ['ann', 1.5, 1n, true])).rejects.toThrow('Argument "count" of transaction "typed" must be an integer between 0 and 100, got number 1.5.');
        await expect(target.simulate('typed', ['ann', 1, 'ten', true])).rejects.toThrow(/Argument "big" of transaction "typed" must be a bigint/);
        await expect(target.simulate('typed', ['ann', 1, 1n, 'yes'])).rejects.toThrow('Argument "flag" of transaction "typed" must be a boolean, got string "yes".');
        await expect(target.simulate('typed', ['much too long', 1, 1n, true])).rejects.toThrow(/Argument "name" .* must be a string of at most 8 characters/);
      });

      it('rejects unknown and missing object fields, naming the path', async () => {
        await expect(target.simulate('typed', ['a', 1, 1n, true, { memo: 'm', extra: 1 }])).rejects.toThrow(/Argument "options.extra" of transaction "typed" must be left out, got number 1 \(unknown field; allowed fields: memo, tags\)/);
        await expect(target.simulate('typed', ['a', 1, 1n, true, { tags: [] }])).rejects.toThrow(/Argument "options.memo" of transaction "typed" must be a string, got undefined \(required field missing\)/);
        await expect(target.simulate('typed', ['a', 1, 1n, true, { memo: 'm', tags: ['ok', 7] }])).rejects.toThrow(/Argument "options.tags\[1\]"/);
      });

      it('rejects the wrong number of arguments', async () => {
        await expect(target.simulate('put', ['only-key'])).rejects.toThrow('Transaction "put" takes 2 arguments, got 1.');
        await expect(target.simulate('typed', ['a', 1, 1n, true, undefined, 'extra'])).rejects.toThrow(/takes 4 to 5 arguments, got 6/);
      });

      it('refuses undecorated methods and unknown names', async () => {
        await expect(target.simulate('helper', [])).rejects.toThrow(/has no transaction "helper"/);
        await expect(target.simulate('nope', [])).rejects.toThrow(/has no transaction "nope"/);
      });
    });

    describe('validation of interleaved transactions', () => {
      beforeEach(async () => {
        await submit('putJSON', 'balance:alice', 100);
      });

      it('a read made stale by an earlier block is an MVCC_READ_CONFLICT; nothing of it is applied', async () => {
        const first = await target.simulate('transfer', ['alice', 'bob', 30]);
        const second = await target.simulate('transfer', ['alice', 'carol', 50]);
        expect((await target.commit(first))[0]?.code).toBe('VALID');
        expect((await target.commit(second))[0]?.code).toBe('MVCC_READ_CONFLICT');
        expect(await committedText('balance:alice')).toBe('70');
        expect(await committedText('balance:bob')).toBe('30');
        expect(await target.committed('balance:carol')).toBeUndefined();
      });

      it('within one block, a later transaction conflicts with an earlier valid one', async () => {
        const first = await target.simulate('transfer', ['alice', 'bob', 10]);
        const second = await target.simulate('transfer', ['alice', 'carol', 10]);
        const unrelated = await target.simulate('put', ['other', 'x']);
        const receipts = await target.commit(first, second, unrelated);
        expect(receipts.map((r) => r.code)).toEqual(['VALID', 'MVCC_READ_CONFLICT', 'VALID']);
        expect(receipts.map((r) => r.txNum)).toEqual([0, 1, 2]);
        expect(new Set(receipts.map((r) => r.blockNum)).size).toBe(1);
        expect((await target.committed('other'))?.version).toEqual({ blockNum: receipts[2]!.blockNum, txNum: 2 });
      });

      it('reading a key that was absent conflicts once someone creates it', async () => {
        const reader = await target.simulate('putThenGet', ['new-key', 'mine']);
        await submit('put', 'new-key', 'theirs');
        expect((await target.commit(reader))[0]?.code).toBe('MVCC_READ_CONFLICT');
        expect(await committedText('new-key')).toBe('theirs');
      });

      it('an insert into a scanned range is a PHANTOM_READ_CONFLICT; one outside it is not', async () => {
        await target.seed({ 'item:1': 'x', 'item:2': 'y', 'other:1': 'z' });
        const counter = await target.simulate('countRange', ['item:', 'item;']);
        expect(counter.result).toBe(2);
        await submit('put', 'other:2', 'outside');
        const stillValid = await target.simulate('countRange', ['item:', 'item;']);
        await submit('put', 'item:3', 'inside');
        expect((await target.commit(counter))[0]?.code).toBe('PHANTOM_READ_CONFLICT');
        expect((await target.commit(stillValid))[0]?.code).toBe('PHANTOM_READ_CONFLICT');
        const fresh = await target.simulate('countRange', ['item:', 'item;']);
        await submit('put', 'other:3', 'outside');
        expect((await target.commit(fresh))[0]?.code).toBe('VALID');
        expect(await committedText('count')).toBe('3');
      });

      it('a delete inside a scanned range is a PHANTOM_READ_CONFLICT', async () => {
        await target.seed({ 'item:1': 'x', 'item:2': 'y' });
        const counter = await target.simulate('countRange', ['item:', 'item;']);
        await submit('del', 'item:1');
        expect((await target.commit(counter))[0]?.code).toBe('PHANTOM_READ_CONFLICT');
      });

      it('a reused tx id is a DUPLICATE_TXID', async () => {
        const first = await target.simulate('put', ['d', '1'], { txId: 'f'.repeat(64) });
        const again = await target.simulate('put', ['d', '2'], { txId: 'f'.repeat(64) });
        expect(again.txId).toBe(first.txId);
        expect((await target.commit(first))[0]?.code).toBe('VALID');
        expect((await target.commit(again))[0]?.code).toBe('DUPLICATE_TXID');
        expect(await committedText('d')).toBe('1');
      });

      it('blind writes do not conflict', async () => {
        const a = await target.simulate('put', ['blind', 'a']);
        const b = await target.simulate('put', ['blind', 'b']);
        expect((await target.commit(a, b)).map((r) => r.code)).toEqual(['VALID', 'VALID']);
        expect(await committedText('blind')).toBe('b');
      });
    });
  });
}
