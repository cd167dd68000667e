// Endorsement policies: AND(...), OR(...), OutOf(n, ...) over principals 'Org.role'.
//
//   AND('Org1.member', OutOf(1, 'Org2.peer', 'Org3.peer'))
//
// An org may be named by its MSP id ("Org1MSP") or without the suffix ("Org1").
// Roles: member (any identity of the org), peer, admin, client. Each signature
// counts once: AND('Org1.member', 'Org1.member') needs two Org1 signers.
// Parsing and evaluation are pure.

import { FlexChainError } from '@flexchain/sdk';
import { ROLES } from '../identity/msp';

export class PolicyInvalidError extends FlexChainError {
  override name = 'PolicyInvalidError';
}

type PrincipalRole = (typeof ROLES)[number];

export type Policy =
  | { readonly kind: 'principal'; readonly org: string; readonly role: PrincipalRole }
  | { readonly kind: 'outOf'; readonly n: number; readonly of: readonly Policy[] };

export interface Signer {
  readonly mspId: string;
  readonly role: string;
}

/** Signers beyond this are ignored by evaluation (bitmask width). */
const SIGNERS_MAX = 30;

export function parsePolicy(text: string): Policy {
  let pos = 0;
  const fail = (what: string): never => {
    throw new PolicyInvalidError(`Endorsement policy is invalid at character ${pos + 1}: ${what}.`, {
      details: `${text}\n${' '.repeat(pos)}^`,
      hint: "Write e.g. AND('Org1.member', OutOf(1, 'Org2.peer', 'Org3.peer')); roles are member, peer, admin, client.",
    });
  };
  const skip = () => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const expect = (ch: string) => {
    skip();
    if (text[pos] !== ch) fail(`expected "${ch}"`);
    pos++;
  };
  const list = (): Policy[] => {
    const items = [node()];
    skip();
    while (text[pos] === ',') {
      pos++;
      items.push(node());
      skip();
    }
    return items;
  };
  const node = (): Policy => {
    skip();
    const quote = text[pos];
    if (quote === "'" || quote === '"') {
      const end = text.indexOf(quote, pos + 1);
      if (end < 0) fail('unterminated principal');
      const principal = text.slice(pos + 1, end);
      const dot = principal.lastIndexOf('.');
      const org = principal.slice(0, dot);
      const role = principal.slice(dot + 1);
      if (dot <= 0 || !(ROLES as readonly string[]).includes(role)) fail(`principal '${principal}' is not 'Org.role' with role member, peer, admin or client`);
      pos = end + 1;
      return { kind: 'principal', org, role: role as PrincipalRole };
    }
    const word = /^[A-Za-z]+/.exec(text.slice(pos))?.[0] ?? '';
    pos += word.length;
    switch (word.toLowerCase()) {
      case 'and': {
        expect('(');
        const of = list();
        expect(')');
        return { kind: 'outOf', n: of.length, of };
      }
      case 'or': {
        expect('(');
        const of = list();
        expect(')');
        return { kind: 'outOf', n: 1, of };
      }
      case 'outof': {
        expect('(');
        skip();
        const digits = /^\d+/.exec(text.slice(pos))?.[0];
        if (!digits) fail('expected a number');
        pos += digits!.length;
        expect(',');
        const of = list();
        expect(')');
        const n = Number(digits);
        if (n < 1 || n > of.length) fail(`OutOf(${n}, ...) needs between 1 and ${of.length}`);
        return { kind: 'outOf', n, of };
      }
      default:
        return fail(word ? `unknown operator "${word}"` : 'expected a principal or AND, OR, OutOf');
    }
  };
  const policy = node();
  skip();
  if (pos !== text.length) fail('unexpected text after the policy');
  return policy;
}

/** Majority of the organisations' members, Fabric's default. */
export function majorityPolicy(mspIds: readonly string[]): Policy {
  return { kind: 'outOf', n: Math.floor(mspIds.length / 2) + 1, of: mspIds.map((org) => ({ kind: 'principal', org, role: 'member' })) };
}

export function formatPolicy(policy: Policy): string {
  if (policy.kind === 'principal') return `'${policy.org}.${policy.role}'`;
  const inner = policy.of.map(formatPolicy).join(', ');
  if (policy.n === policy.of.length && policy.of.length > 1) return `AND(${inner})`;
  if (policy.n === 1 && policy.of.length > 1) return `OR(${inner})`;
  return `OutOf(${policy.n}, ${inner})`;
}

export function principalMatches(policy: Policy & { kind: 'principal' }, signer: Signer): boolean {
  const orgMatches = signer.mspId === policy.org || signer.mspId === `${policy.org}MSP`;
  return orgMatches && (policy.role === 'member' || signer.role === policy.role);
}

/** True when distinct signers can be assigned to satisfy the policy. */
export function policySatisfied(policy: Policy, signers: readonly Signer[]): boolean {
  return satisfy(policy, signers.slice(0, SIGNERS_MAX), 0).size > 0;
}

/** Every set (bitmask) of signers that satisfies `policy` given `used` signers are taken. */
function satisfy(policy: Policy, signers: readonly Signer[], used: number): Set<number> {
  if (policy.kind === 'principal') {
    const out = new Set<number>();
    signers.forEach((s, i) => {
      if (!(used & (1 << i)) && principalMatches(policy, s)) out.add(used | (1 << i));
    });
    return out;
  }
  const results = new Set<number>();
  const choose = (index: number, needed: number, mask: number) => {
    if (needed === 0) return void results.add(mask);
    if (policy.of.length - index < needed) return;
    for (const next of satisfy(policy.of[index]!, signers, mask)) choose(index + 1, needed - 1, next);
    choose(index + 1, needed, mask);
  };
  choose(0, policy.n, used);
  return results;
}

/** The smallest set of organisations whose peers can satisfy the policy, or undefined if none can. */
export function endorsingOrganisations(policy: Policy, mspIds: readonly string[]): string[] | undefined {
  const n = Math.min(mspIds.length, SIGNERS_MAX);
  const subsets = Array.from({ length: 2 ** n }, (_, mask) => mask).sort((a, b) => popcount(a) - popcount(b) || a - b);
  for (const mask of subsets) {
    const orgs = mspIds.slice(0, n).filter((_, i) => mask & (1 << i));
    if (policySatisfied(policy, orgs.map((mspId) => ({ mspId, role: 'peer' })))) return orgs;
  }
  return undefined;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}
