import { encodeSessionHello, generateSigningKeys, newSessionHello, Signer } from '@flexchain/sdk/protocol';
import { ClientSessions } from './client-sessions';
import { Membership } from './msp';

describe('ClientSessions', () => {
  const alice = generateSigningKeys();
  const mallory = generateSigningKeys();
  const membership = new Membership([{ mspId: 'Org1MSP', id: 'alice', role: 'client', publicKey: alice.publicKey }]);
  const limits = { sessionTtlMs: 60_000, sessionsMax: 2, sessionClockSkewMs: 5_000 };
  let now = 1_000_000;
  const sessions = () => new ClientSessions(membership, 'ch', limits, () => now);
  const hello = (keys = alice, fields: { channelId?: string; id?: string; timeMs?: number } = {}) =>
    new Signer(keys.privateKey).signed(encodeSessionHello(newSessionHello(fields.channelId ?? 'ch', { mspId: 'Org1MSP', id: fields.id ?? 'alice' }, fields.timeMs ?? now)));

  it('opens a session for a hello signed with the creator key, and names its creator until it expires', () => {
    const s = sessions();
    const { session, expiresAtMs } = s.open(hello());
    expect(expiresAtMs).toBe(now + limits.sessionTtlMs);
    expect(s.creatorOf(session)).toEqual({ mspId: 'Org1MSP', id: 'alice' });
    now += limits.sessionTtlMs;
    expect(() => s.creatorOf(session)).toThrow(expect.objectContaining({ name: 'SessionUnknownError' }));
  });

  it('refuses a hello signed with another key, for another channel, an unknown creator, out of the clock window, or used before', () => {
    const s = sessions();
    expect(() => s.open(hello(mallory))).toThrow(/not signed with its key/);
    expect(() => s.open(hello(alice, { channelId: 'other' }))).toThrow(/malformed/);
    expect(() => s.open(hello(alice, { id: 'bob' }))).toThrow(/Unknown creator Org1MSP\/bob/);
    expect(() => s.open(hello(alice, { timeMs: now - 6_000 }))).toThrow(/sessionClockSkewMs/);
    const once = hello();
    s.open(once);
    expect(() => s.open(once)).toThrow(/used before/);
    expect(() => s.open({ payload: new TextEncoder().encode('{}'), signature: new Uint8Array(64) })).toThrow(/malformed/);
  });

  it('does not know a made-up session, and keeps at most sessionsMax', () => {
    const s = sessions();
    expect(() => s.creatorOf('00'.repeat(16))).toThrow(expect.objectContaining({ name: 'SessionUnknownError' }));
    const first = s.open(hello()).session;
    s.open(hello());
    s.open(hello());
    expect(() => s.creatorOf(first)).toThrow(expect.objectContaining({ name: 'SessionUnknownError' }));
  });
});
