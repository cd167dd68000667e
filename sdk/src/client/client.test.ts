import { FlexChainError } from '../errors';
import type { GatewayApi } from '../protocol/gateway-api';
import type { Signed } from '../protocol/messages';
import { decodeSessionHello } from '../protocol/messages';
import { generateSigningKeys, verifySignature } from '../protocol/signing';
import { connect } from './client';

describe('client sessions', () => {
  const keys = generateSigningKeys();

  /** A gateway that forgets every session after `forgetAfter` calls, as one that restarted would. */
  function gateway(forgetAfter: number) {
    const opened: string[] = [];
    const calls: Signed[] = [];
    let live = new Set<string>();
    const api = {
      async openSession(hello: Signed) {
        expect(verifySignature(keys.publicKey, hello.payload, hello.signature)).toBe(true);
        expect(decodeSessionHello(hello.payload).creator).toEqual({ mspId: 'Org1MSP', id: 'alice' });
        const session = `s${opened.length}`;
        opened.push(session);
        live.add(session);
        return { session, expiresAtMs: Date.now() + 60_000 };
      },
      async evaluate(proposal: Signed) {
        calls.push(proposal);
        if (calls.length === forgetAfter) live = new Set();
        if (!proposal.session || !live.has(proposal.session)) {
          const err = new FlexChainError('unknown session');
          err.name = 'SessionUnknownError';
          throw err;
        }
        return { payload: new Uint8Array(0) };
      },
    } as unknown as GatewayApi;
    return { api, opened, calls };
  }

  it('opens one session for many proposals, sends them unsigned under it, and opens another when the gateway forgets it', async () => {
    const { api, opened, calls } = gateway(3);
    const client = connect({ gateway: api, identity: { mspId: 'Org1MSP', id: 'alice', privateKey: keys.privateKey }, channelId: 'ch' });
    await client.evaluate('c', 'f');
    await client.evaluate('c', 'f');
    expect(opened).toEqual(['s0']);
    expect(calls.every((c) => c.signature.length === 0 && c.session === 's0')).toBe(true);
    // The third call finds its session forgotten: the client opens a new one and sends it again.
    await client.evaluate('c', 'f');
    expect(opened).toEqual(['s0', 's1']);
    expect(calls.map((c) => c.session)).toEqual(['s0', 's0', 's0', 's1']);
  });
});
