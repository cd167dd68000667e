// Membership: organisations, their identities and roles.
//
// `flexchain up` creates each organisation with an admin, a client and one
// peer identity per logical peer, each with an Ed25519 key pair, and stores
// them under <data>/msp/<mspId>/<id>.json (private keys readable by the owner
// only). Every node loads the public half of all of them as the membership
// registry used to check signatures and evaluate endorsement policies.

import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FlexChainError, type IdentityInfo } from '@flexchain/sdk';
import { generateSigningKeys, Signer } from '@flexchain/sdk/protocol';

export const ROLES = ['member', 'peer', 'admin', 'client'] as const;
export type Role = Exclude<(typeof ROLES)[number], 'member'>;

export interface PublicIdentity {
  readonly mspId: string;
  readonly id: string;
  readonly role: Role;
  readonly publicKey: string;
  /** Issued with the identity; contracts read them with ctx.clientIdentity.getAttributeValue. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface SigningIdentity extends PublicIdentity {
  readonly privateKey: string;
}

export class IdentityNotFoundError extends FlexChainError {
  override name = 'IdentityNotFoundError';
}

export function mspIdOf(orgIndex: number): string {
  return `Org${orgIndex}MSP`;
}

/** Adds an identity to an organisation (e.g. a user with attributes); fails if it exists. */
export function enrollIdentity(mspDir: string, fields: { mspId: string; id: string; role: Role; attributes?: Record<string, string> }): SigningIdentity {
  const dir = join(mspDir, fields.mspId);
  const file = join(dir, `${fields.id}.json`);
  if (existsSync(file)) throw new FlexChainError(`Identity ${fields.mspId}/${fields.id} already exists.`, { hint: 'Pick another id.' });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const identity: SigningIdentity = { ...fields, ...generateSigningKeys() };
  writeFileSync(file, JSON.stringify(identity, null, 2) + '\n', { mode: 0o600 });
  return identity;
}

/** Creates organisations Org1MSP..OrgNMSP with admin, client and peer0 identities. Existing ones are kept. */
export function createOrganisations(mspDir: string, orgCount: number): SigningIdentity[] {
  const created: SigningIdentity[] = [];
  for (let i = 1; i <= orgCount; i++) {
    const mspId = mspIdOf(i);
    const dir = join(mspDir, mspId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const [id, role] of [['admin', 'admin'], ['client', 'client'], ['peer0', 'peer']] as const) {
      const file = join(dir, `${id}.json`);
      if (existsSync(file)) continue;
      const identity: SigningIdentity = { mspId, id, role, ...generateSigningKeys() };
      writeFileSync(file, JSON.stringify(identity, null, 2) + '\n', { mode: 0o600 });
      chmodSync(file, 0o600);
      created.push(identity);
    }
  }
  return created;
}

export function loadSigningIdentity(mspDir: string, mspId: string, id: string): SigningIdentity {
  const file = join(mspDir, mspId, `${id}.json`);
  if (!existsSync(file)) {
    throw new IdentityNotFoundError(`No identity ${id} of ${mspId} in ${mspDir}.`, { hint: 'Start the network with `flexchain up` (it creates identities), or pass --data pointing at its data directory.' });
  }
  return JSON.parse(readFileSync(file, 'utf8')) as SigningIdentity;
}

/** Public identities of every organisation: the membership registry. */
export class Membership {
  private readonly byKey = new Map<string, PublicIdentity>();
  private mspIds: readonly string[] | undefined;

  constructor(identities: readonly PublicIdentity[]) {
    for (const { mspId, id, role, publicKey, attributes } of identities) this.byKey.set(keyOf(mspId, id), { mspId, id, role, publicKey, ...(attributes ? { attributes } : {}) });
  }

  static load(mspDir: string): Membership {
    const identities: PublicIdentity[] = [];
    if (existsSync(mspDir)) {
      for (const org of readdirSync(mspDir).sort()) {
        for (const file of readdirSync(join(mspDir, org)).filter((f) => f.endsWith('.json')).sort()) {
          identities.push(JSON.parse(readFileSync(join(mspDir, org, file), 'utf8')) as PublicIdentity);
        }
      }
    }
    return new Membership(identities);
  }

  get(mspId: string, id: string): PublicIdentity | undefined {
    return this.byKey.get(keyOf(mspId, id));
  }

  /** The organisations' MSP ids, sorted; the membership never changes, so they are computed once. */
  get organisations(): string[] {
    this.mspIds ??= [...new Set([...this.byKey.values()].map((i) => i.mspId))].sort();
    return [...this.mspIds];
  }

  admins(): PublicIdentity[] {
    return [...this.byKey.values()].filter((i) => i.role === 'admin');
  }

}

function keyOf(mspId: string, id: string): string {
  return `${mspId}\u0000${id}`;
}

export function signerOf(identity: SigningIdentity): Signer {
  return new Signer(identity.privateKey);
}

export function identityInfo(identity: PublicIdentity): IdentityInfo {
  return { mspId: identity.mspId, id: identity.id, role: identity.role, ...(identity.attributes ? { attributes: identity.attributes } : {}) };
}
