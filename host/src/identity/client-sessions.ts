// Client sessions: a client proves its key once, by signing a SessionHello, and
// its proposals then carry the session instead of a signature each. That keeps
// what the signature protected: only the holder of a creator's key gets
// proposals simulated, and so evaluate results, in that creator's name.
// Transactions are still signed by their creator, so V1 and every other peer
// check the creator as before.
//
// Over plain gRPC a session id is a bearer token, as good as the channel it
// travels on; it expires after sessionTtlMs. The clock is injected.

import { FlexChainError } from '@flexchain/sdk';
import { decodeSessionHello, verifySignature, type Creator, type Signed } from '@flexchain/sdk/protocol';
import { randomBytes } from 'node:crypto';
import type { Membership } from './msp';

/** Random bytes in a session id: unguessable. */
const SESSION_ID_BYTES = 16;

export class SessionRefusedError extends FlexChainError {
  override name = 'SessionRefusedError';
}

/** The session named by a proposal is not (or no longer) known: the client opens a new one. */
export class SessionUnknownError extends FlexChainError {
  override name = 'SessionUnknownError';
}

export interface ClientSessionLimits {
  /** How long a session lasts, in ms. */
  readonly sessionTtlMs: number;
  /** Most sessions kept; the oldest go first. */
  readonly sessionsMax: number;
  /** How far a hello's time may be from the gateway's, in ms: an old hello cannot be replayed later. */
  readonly sessionClockSkewMs: number;
}

interface Session {
  readonly creator: Creator;
  readonly expiresAtMs: number;
}

export class ClientSessions {
  private readonly sessions = new Map<string, Session>();
  /** Nonces of hellos used, until their time leaves the skew window: a hello opens one session only. */
  private readonly usedHellos = new Map<string, number>();

  constructor(
    private readonly membership: Membership,
    private readonly channelId: string,
    private readonly limits: ClientSessionLimits,
    private readonly now: () => number = Date.now,
  ) {}

  open(hello: Signed): { session: string; expiresAtMs: number } {
    let creator: Creator;
    let timeMs: number;
    let nonce: string;
    try {
      const decoded = decodeSessionHello(hello.payload);
      if (decoded.channelId !== this.channelId) throw new Error(`it is for channel ${decoded.channelId}, not ${this.channelId}`);
      creator = decoded.creator;
      timeMs = decoded.timeMs;
      nonce = decoded.nonce;
    } catch (err) {
      throw new SessionRefusedError('The session hello is malformed.', { details: (err as Error).message, hint: 'Open sessions with the client library (connect()).' });
    }
    const identity = this.membership.get(creator.mspId, creator.id);
    if (!identity) throw new SessionRefusedError(`Unknown creator ${creator.mspId}/${creator.id}.`, { hint: 'Use an identity created by `flexchain up`.' });
    const now = this.now();
    if (Math.abs(now - timeMs) > this.limits.sessionClockSkewMs) {
      throw new SessionRefusedError(`The session hello was made ${Math.round((now - timeMs) / 1000)} s from the gateway's time, more than sessionClockSkewMs (${this.limits.sessionClockSkewMs} ms).`, { hint: "Check the client machine's clock." });
    }
    if (!verifySignature(identity.publicKey, hello.payload, hello.signature)) {
      throw new SessionRefusedError(`The session hello of ${creator.mspId}/${creator.id} is not signed with its key.`, { hint: 'Sign with the private key of the identity named as creator.' });
    }
    this.dropExpired(now);
    if (this.usedHellos.has(nonce)) throw new SessionRefusedError('This session hello was used before.', { hint: 'Make a new hello for every session (the client library does).' });
    if (this.usedHellos.size >= this.limits.sessionsMax) this.usedHellos.delete(this.usedHellos.keys().next().value!);
    this.usedHellos.set(nonce, timeMs + this.limits.sessionClockSkewMs);
    if (this.sessions.size >= this.limits.sessionsMax) this.sessions.delete(this.sessions.keys().next().value!);
    const session = randomBytes(SESSION_ID_BYTES).toString('hex');
    const expiresAtMs = now + this.limits.sessionTtlMs;
    this.sessions.set(session, { creator: { mspId: creator.mspId, id: creator.id }, expiresAtMs });
    return { session, expiresAtMs };
  }

  /** The creator a live session authenticates; throws SessionUnknownError for any other. */
  creatorOf(session: string): Creator {
    const found = this.sessions.get(session);
    if (!found || found.expiresAtMs <= this.now()) {
      this.sessions.delete(session);
      throw new SessionUnknownError('The proposal names a session this gateway does not know or that expired.', { hint: 'Open a new session (the client library does it by itself).' });
    }
    return found.creator;
  }

  private dropExpired(now: number): void {
    // Sessions are in creation order and share one TTL, so the expired ones come first.
    for (const [id, s] of this.sessions) {
      if (s.expiresAtMs > now) break;
      this.sessions.delete(id);
    }
    for (const [nonce, until] of this.usedHellos) {
      if (until > now) break;
      this.usedHellos.delete(nonce);
    }
  }
}
