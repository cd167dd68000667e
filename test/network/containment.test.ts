// Containment: what an ordinary client, a contract author with a hand-made
// package, and a forger holding endorsement keys can do to a running 2-org
// network over gRPC. Each case is a finding of the attack review (issue 11);
// after each, the network must still serve everyone else.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { utf8Encode } from '@flexchain/sdk';
import type { FlexChainClient } from '@flexchain/sdk/client';
import { createProposal } from '@flexchain/sdk/client';
import { decodeResponse, encodeResponse, encodeSessionHello, encodeTransaction, newSessionHello, Signer } from '@flexchain/sdk/protocol';
import { loadSigningIdentity } from '@flexchain/host';
import { rawPackage, submitForged } from '../support/raw-package';
import { startTestNetwork, type TestNetwork } from '../support/network-fixture';

const MiB = 1024 * 1024;

describe('containment of clients and contracts', () => {
  let net: TestNetwork;
  let client: FlexChainClient;
  let rawId: string;
  const logs: string[] = [];

  /** The network still answers, and promptly. */
  const stillServing = async () => {
    const started = Date.now();
    expect(await client.evaluate('raw', 'echo', [])).toEqual({ fine: true });
    expect(Date.now() - started).toBeLessThan(1000);
  };

  beforeAll(async () => {
    // txCpuTimeMs leaves the Map bomb time to reach V8's heap limit: a sandbox process's single-threaded GC fills 128 MiB in about a second.
    net = await startTestNetwork({ orgs: 2, cnodes: 1, port: 0, grpc: true, config: { blockTimeoutMs: 10, txCpuTimeMs: 2500, txWallTimeMs: 3000 }, log: (_level, message) => logs.push(message) });
    client = net.client;
    const deployed = await net.admin.deploy(
      rawPackage('raw', {
        echo: `async (req, host, { json }) => ({ payload: json({ fine: true }) })`,
        throwText: `async (req) => { throw new Error('no account ' + req.args[0]); }`,
        bigStack: `async (req) => { const e = new Error('deep'); e.stack = 'Error: deep' + '\\n    at f (contract.js:1:1)'.repeat(req.args[0]); throw e; }`,
        bigPayload: `async (req) => ({ payload: new Uint8Array(req.args[0]) })`,
        manyEvents: `async (req) => ({ events: Array.from({ length: req.args[0] }, (_, i) => ({ name: 'e' + i, payload: new Uint8Array(i === 0 ? 8 * 1024 * 1024 : 1) })) })`,
        write: `async (req, host, { ascii }) => ({ rwset: { reads: [], rangeQueries: [], writes: [{ key: req.args[0], isDelete: false, value: new Uint8Array(req.args[1]) }] } })`,
        read: `async (req, host, { json }) => { try { await host.get(req.args[0]); return { payload: json('read') }; } catch (e) { return { payload: json(e.name + ': ' + e.message) }; } }`,
        detached: `async (req, host, { json }) => { host.get('k').then(() => { for (;;) {} }); return { payload: json('returned') }; }`,
        order: `async (req, host, { json }) => { const seen = []; await Promise.all([0, 1, 2, 3, 4, 5].map((i) => host.get('k' + i).then(() => seen.push(i)))); return { payload: json(seen) }; }`,
        chatty: `async (req, host) => { const line = 'x'.repeat(1024); for (let i = 0; i < 10000; i++) host.log('info', line); return {}; }`,
        lie: `async (req, host) => ({ rwset: { reads: [{ key: 'never-read', version: { blockNum: 0, txNum: 0 } }], rangeQueries: [], writes: [] } })`,
        mapBomb: `async () => { const m = new Map(); for (let i = 0; ; i++) m.set(i, [i, i, i, i, i, i, i, i, i, i, i, i, i, i, i, i]); }`,
        ranges: `async (req, host) => { const rangeQueries = []; for (let i = 0; i < req.args[0]; i++) rangeQueries.push({ startKey: 'r' + i, endKey: 'r' + i + '~', reads: [] }); return { rwset: { reads: [], rangeQueries, writes: [] } }; }`,
      }),
      { version: '1', policy: "OR('Org1.member')", approvers: net.approvers },
    );
    rawId = deployed.packageId;
  }, 90_000);

  afterAll(() => net.close());

  it('answers an error with non-ASCII text or a lone surrogate over gRPC, and keeps serving (finding 1)', async () => {
    await expect(client.evaluate('raw', 'throwText', ['José'])).rejects.toThrow('no account José');
    await expect(client.evaluate('raw', 'throwText', ['\uD800…'])).rejects.toThrow('no account \uFFFD…');
    await stillServing();
  });

  it('bounds a contract error with a huge stack; the client gets it and its connection stays usable (finding 10)', async () => {
    const error = (await client.evaluate('raw', 'bigStack', [5000]).catch((e: unknown) => e)) as Error & { details?: string };
    expect(error.message).toContain('deep');
    expect((error.details ?? '').length).toBeLessThanOrEqual(4096 + 64);
    await stillServing();
    const started = Date.now();
    await expect(client.evaluate('raw', 'bigStack', [1_000_000])).rejects.toThrow('deep');
    expect(Date.now() - started).toBeLessThan(3000);
    await stillServing();
  });

  it.each([
    ['an 8 MB return payload', 'bigPayload', [8 * MiB], /over responsePayloadBytesMax/],
    ['5,001 events, one of 8 MiB', 'manyEvents', [5001], /over eventCountMax/],
    ['a 2 MiB value', 'write', ['k', 2 * MiB], /over valueBytesMax/],
    ['a 5 MiB value (larger than a slab)', 'write', ['k', 5 * MiB], /over valueBytesMax/],
    ['the empty key', 'write', ['', 1], /must not be empty/],
    ['a key with the reserved prefix', 'write', ['\u0000x', 1], /reserved prefix/],
    ['a 4,096-byte key', 'write', ['k'.repeat(4096), 1], /exceeds keyBytesMax/],
    ['a lone surrogate key', 'write', ['\uD800', 1], /lone surrogate/],
    ['a read it never made', 'lie', [], /not what the host served/],
    ['more range queries than rangeQueriesMax', 'ranges', [4000], /over rangeQueriesMax/],
  ])('refuses to endorse %s (findings 3, 6, 9)', async (_what, fn, args, message) => {
    await expect(client.submit('raw', fn, args)).rejects.toThrow(message);
    await stillServing();
  });

  it('refuses a 30 MB argument before running it (finding 9)', async () => {
    await expect(client.evaluate('raw', 'echo', ['x'.repeat(30 * MiB)])).rejects.toThrow(/over proposalBytesMax/);
    await stillServing();
  });

  it('checks a lone surrogate key read on the host, inside the sandbox, without host paths (findings 3, 10)', async () => {
    const seen = (await client.evaluate('raw', 'read', ['\uD800'])) as string;
    expect(seen).toMatch(/^KeyInvalidError: .*lone surrogate/);
    expect(seen).not.toMatch(/\/(host|sdk)\/|\.ts:\d/);
    await stillServing();
  });

  it.each([
    ['a 5 MiB value (larger than a slab)', { reads: [], rangeQueries: [], writes: [{ key: 'k', isDelete: false, value: new Uint8Array(5 * MiB) }] }, /over valueBytesMax/],
    ['a lone surrogate key', { reads: [], rangeQueries: [], writes: [{ key: '\uD800', isDelete: false, value: utf8Encode('v') }] }, /lone surrogate/],
    ['the empty key', { reads: [], rangeQueries: [], writes: [{ key: '', isDelete: false, value: utf8Encode('v') }] }, /must not be empty/],
    ['4,000 range queries', { reads: [], rangeQueries: Array.from({ length: 4000 }, (_, i) => ({ startKey: `r${i}`, endKey: `r${i}~`, reads: [] })), writes: [] }, /over rangeQueriesMax/],
  ])('marks a forged, validly endorsed transaction with %s BAD_RWSET in V1, and commits the next one (finding 3)', async (_what, rwset, reason) => {
    logs.length = 0;
    const status = await submitForged(net, 'raw', rawId, { rwset });
    expect(status.code).toBe('BAD_RWSET');
    await net.network.settle();
    expect(await client.submit('raw', 'echo', [])).toMatchObject({ code: 'VALID' });
    expect(logs.join('\n')).toMatch(reason);
    expect(logs.join('\n')).not.toMatch(/could not commit/);
  }, 30_000);

  it('refuses a package named into another contract\'s namespace, at install (finding 4)', async () => {
    await expect(net.admin.install(rawPackage('raw\u0000', { echo: 'async () => ({})' }))).rejects.toThrow(/not a valid contract name/);
    await expect(net.admin.install(rawPackage('_lifecycle', { echo: 'async () => ({})' }))).rejects.toThrow(/not a valid contract name/);
  });

  it("marks a forged approval of another organisation ILLEGAL_WRITESET in V1 (finding 5)", async () => {
    const definition = { name: 'raw', version: '2', packageId: rawId, policy: "OR('Org2.member')" };
    const forgedApproval = { reads: [], rangeQueries: [], writes: [{ key: '\u0000approval\u0000raw\u00002\u0000Org1MSP\u0000', isDelete: false, value: utf8Encode(JSON.stringify({ ...definition, sequence: 2 })) }] };
    const status = await submitForged(net, '_lifecycle', 'builtin:lifecycle/1', { rwset: forgedApproval }, ['Org2MSP'], { fn: 'approve', args: [definition], creator: { mspId: 'Org2MSP', id: 'admin' } });
    expect(status.code).toBe('ILLEGAL_WRITESET');
  });

  it('refuses a package whose code would close the function the realm wraps it in', async () => {
    const escaping = JSON.parse(rawPackage('escape', { f: 'async () => ({})' })) as { code: string };
    escaping.code += '\n}); globalThis.escaped = true; (function () {';
    await expect(net.admin.install(JSON.stringify(escaping))).rejects.toThrow(/not a well-formed script/);
    await stillServing();
  });

  it('refuses a package whose metadata declares a pattern without a linear-time match (finding 11)', async () => {
    const metadata = { name: 'redos', transactions: [{ name: 'f', kind: 'submit', params: [], returns: { type: 'string', pattern: '^(a+)\\1$' } }] };
    await expect(net.admin.install(rawPackage('redos', { f: 'async () => ({})' }, metadata))).rejects.toThrow(/invalid metadata: Pattern/);
  });

  it('never runs a continuation after its transaction settled (finding 7)', async () => {
    expect(await client.evaluate('raw', 'detached', [])).toBe('returned');
    // The continuation would spin on the isolate's thread and fail the next transaction for a limit it did not hit.
    await stillServing();
    await stillServing();
    const status = await client.status();
    expect(status.peers.flatMap((p) => p.cnodes.map((c) => c.sandboxRebuilds))).toEqual([0, 0]);
  });

  it('survives a contract that makes V8 abort its sandbox process, and answers it with TxLimitExceededError (finding 2)', async () => {
    logs.length = 0;
    await expect(client.evaluate('raw', 'mapBomb', [])).rejects.toMatchObject({ name: 'TxLimitExceededError' });
    await stillServing();
    expect(logs.join('\n')).toMatch(/sandbox process (was killed by SIGABRT|exited with code)/);
  }, 30_000);

  it('takes a session in place of a proposal signature only for the session\'s own creator', async () => {
    const gateway = net.network.gateway;
    const channelId = net.network.manifest.channelId;
    const keys = loadSigningIdentity(join(net.dataDir, 'msp'), 'Org1MSP', 'client');
    const { session } = await gateway.openSession(new Signer(keys.privateKey).signed(encodeSessionHello(newSessionHello(channelId, { mspId: 'Org1MSP', id: 'client' }))));
    const unsigned = (creator: { mspId: string; id: string }) => createProposal({ channelId, creator, contract: 'raw', fn: 'echo', args: [] }).payload;
    const none = new Uint8Array(0);
    expect((await gateway.evaluate({ payload: unsigned({ mspId: 'Org1MSP', id: 'client' }), signature: none, session })).payload.length).toBeGreaterThan(0);
    await expect(gateway.endorse({ payload: unsigned({ mspId: 'Org1MSP', id: 'admin' }), signature: none, session })).rejects.toMatchObject({ name: 'ProposalRejectedError', message: expect.stringMatching(/its session is Org1MSP\/client's/) });
    await expect(gateway.evaluate({ payload: unsigned({ mspId: 'Org1MSP', id: 'client' }), signature: none, session: 'ab'.repeat(16) })).rejects.toMatchObject({ name: 'SessionUnknownError' });
    await expect(gateway.evaluate({ payload: unsigned({ mspId: 'Org1MSP', id: 'client' }), signature: none })).rejects.toMatchObject({ name: 'ProposalRejectedError', message: expect.stringMatching(/signature .* does not verify/) });
    const forgedHello = new Signer(loadSigningIdentity(join(net.dataDir, 'msp'), 'Org2MSP', 'client').privateKey).signed(encodeSessionHello(newSessionHello(channelId, { mspId: 'Org1MSP', id: 'client' })));
    await expect(gateway.openSession(forgedHello)).rejects.toMatchObject({ name: 'SessionRefusedError' });
    await stillServing();
  });

  it('holds a batch endorsement to its own response: another response, or another place in the batch, fails the policy', async () => {
    const gateway = net.network.gateway;
    const channelId = net.network.manifest.channelId;
    const keys = loadSigningIdentity(join(net.dataDir, 'msp'), 'Org1MSP', 'client');
    const signer = new Signer(keys.privateKey);
    const creator = { mspId: 'Org1MSP', id: 'client' };
    const endorsedWrite = async (key: string) => {
      const { payload } = createProposal({ channelId, creator, contract: 'raw', fn: 'write', args: [key, 4] });
      return { proposal: payload, ...(await gateway.endorse(signer.signed(payload))) };
    };
    // Each case is a transaction of its own: a tx id marked once is a duplicate after.
    const submitWith = (tx: Awaited<ReturnType<typeof endorsedWrite>>, response: Uint8Array, endorsements: typeof tx.endorsements) =>
      gateway.submit(signer.signed(encodeTransaction({ proposal: tx.proposal, response, endorsements })));
    const first = await endorsedWrite('batched-1');
    expect(first.endorsements[0]!.batch).toBeDefined();
    const original = decodeResponse(first.response);
    const forged = encodeResponse({ ...original, rwset: { ...original.rwset, writes: [{ key: 'stolen', isDelete: false, value: new Uint8Array(4) }] } });
    expect((await submitWith(first, forged, first.endorsements)).code).toBe('ENDORSEMENT_POLICY_FAILURE');
    const second = await endorsedWrite('batched-2');
    const moved = second.endorsements.map((e) => ({ ...e, batch: { ...e.batch!, index: e.batch!.index + 1, count: e.batch!.count + 1 } }));
    expect((await submitWith(second, second.response, moved)).code).toBe('ENDORSEMENT_POLICY_FAILURE');
    const third = await endorsedWrite('batched-3');
    expect((await submitWith(third, third.response, third.endorsements)).code).toBe('VALID');
  });

  it('answers concurrent state reads in the order they were made (finding 8)', async () => {
    const orders = new Set<string>();
    for (let i = 0; i < 10; i++) orders.add(JSON.stringify(await client.evaluate('raw', 'order', [])));
    expect([...orders]).toEqual(['[0,1,2,3,4,5]']);
  });

  it('caps the log output of one transaction at txLogBytesMax (finding 9)', async () => {
    logs.length = 0;
    await client.evaluate('raw', 'chatty', []);
    await new Promise((r) => setTimeout(r, 100));
    const bytes = logs.reduce((n, line) => n + line.length, 0);
    expect(bytes).toBeLessThan(net.network.config.txLogBytesMax + 64 * 1024);
    expect(logs.some((line) => line.includes('exceeded txLogBytesMax'))).toBe(true);
  });
});

describe('process guard', () => {
  it('logs an unhandled rejection and keeps the process serving (finding 1)', () => {
    const guard = join(__dirname, '..', '..', 'host', 'dist', 'process-guard.js');
    const script = `
      const { guardProcess } = require(${JSON.stringify(guard)});
      guardProcess((level, message) => process.stdout.write(level + ': ' + message.split('\\n')[0] + '\\n'));
      Promise.reject(new Error('stray callback'));
      setTimeout(() => { throw new Error('stray timer'); }, 10);
      setTimeout(() => process.stdout.write('still serving\\n'), 50);`;
    const out = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(out).toContain('error: unhandled rejection (the node keeps serving): Error: stray callback');
    expect(out).toContain('error: uncaught exception (the node keeps serving): Error: stray timer');
    expect(out).toContain('still serving');
  });
});
