// Hand-made contract packages and hand-made transactions, as an attacker makes
// them: no SDK inside the sandbox, no `flexchain check`, no client library
// checks. A raw package's code speaks the sandbox protocol directly and reports
// whatever outcome it likes; a forged transaction carries a response signed
// with real peer keys but never simulated by the host.

import { join } from 'node:path';
import { createProposal } from '@flexchain/sdk/client';
import { encodeResponse, encodeTransaction, sha256Hex, Signer, type ProposalResponse } from '@flexchain/sdk/protocol';
import { loadSigningIdentity, type EmbeddedNetwork } from '@flexchain/host';
import type { RwSet } from '@flexchain/sdk';

/**
 * A package whose transactions are the given functions' source, each
 * `async (req, host) => ({ payload?, rwset?, events? })`, where host is
 * { get(key), range(start, end, limit), log(level, message) }.
 */
export function rawPackage(name: string, functions: Record<string, string>, metadataOverride?: unknown): string {
  const fns = Object.entries(functions).map(([fn, source]) => `${JSON.stringify(fn)}: ${source}`).join(',\n');
  const metadata = metadataOverride ?? { name, transactions: Object.keys(functions).map((fn) => ({ name: fn, kind: 'submit', params: [] })) };
  const code = `
const ascii = (text) => { const b = new Uint8Array(text.length); for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i) & 0x7f; return b; };
const json = (v) => ascii(JSON.stringify(v));
const fns = {\n${fns}\n};
exports.metadata = () => (${JSON.stringify(metadata)});
exports.simulate = async (req, host) => {
  try {
    const r = (await fns[req.fn](req, host, { ascii, json })) || {};
    return { ok: true, kind: 'submit', payload: r.payload || new Uint8Array(0), rwset: r.rwset || { reads: [], rangeQueries: [], writes: [] }, events: r.events || [] };
  } catch (e) {
    return { ok: false, error: { name: String(e && e.name), message: String(e && e.message), stack: String((e && e.stack) || '') } };
  }
};`;
  return JSON.stringify({ format: 'flexchain-package/2', name, metadata, code, sourceMap: '' });
}

/**
 * Submits a transaction of `contract` whose response was never simulated: the
 * given rw-set and payload, endorsed with the real keys of `endorsers` (mspIds)
 * and signed by the creator of `call` (default Org1MSP/client). Resolves with the commit status the gateway reports.
 */
export async function submitForged(
  net: { network: EmbeddedNetwork; dataDir: string },
  contract: string,
  packageId: string,
  forged: { rwset: RwSet; payload?: Uint8Array; events?: ProposalResponse['events'] },
  endorsers: readonly string[] = ['Org1MSP'],
  call: { fn: string; args: unknown[]; creator: { mspId: string; id: string } } = { fn: 'forged', args: [], creator: { mspId: 'Org1MSP', id: 'client' } },
) {
  const mspDir = join(net.dataDir, 'msp');
  const client = loadSigningIdentity(mspDir, call.creator.mspId, call.creator.id);
  const { proposal, payload: proposalBytes } = createProposal({ channelId: net.network.manifest.channelId, creator: call.creator, contract, fn: call.fn, args: call.args });
  const response = encodeResponse({ txId: proposal.txId, proposalHash: sha256Hex(proposalBytes), contract, packageId, payload: forged.payload ?? new Uint8Array(0), rwset: forged.rwset, events: forged.events ?? [] });
  const endorsements = endorsers.map((mspId) => ({ endorser: { mspId, id: 'peer0' }, signature: new Signer(loadSigningIdentity(mspDir, mspId, 'peer0').privateKey).sign(response) }));
  const clientSigner = new Signer(client.privateKey);
  const tx = encodeTransaction({ proposal: proposalBytes, response, endorsements });
  return net.network.gateway.submit({ payload: tx, signature: clientSigner.sign(tx) });
}
