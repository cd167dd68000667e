// How a CLI command finds a network and acts on it: the data directory
// (--data, else $FLEXCHAIN_DATA, else ./.flexchain), its network.json for the
// endpoint and channel, and an identity from its msp folder.

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { FlexChainError } from '@flexchain/sdk';
import { connect, type FlexChainClient } from '@flexchain/sdk/client';
import { loadSigningIdentity, mspIdOf, readManifest } from '@flexchain/host';

export const DEFAULT_DATA_DIR = '.flexchain';

export interface NetworkFlags {
  data?: string;
  endpoint?: string;
  as?: string;
}

export class NetworkNotFoundError extends FlexChainError {
  override name = 'NetworkNotFoundError';
}

export function dataDirOf(flags: NetworkFlags): string {
  return resolve(flags.data ?? process.env.FLEXCHAIN_DATA ?? DEFAULT_DATA_DIR);
}

/**
 * Clients for the admins of every organisation whose admin key is in the data
 * directory, except `except` (mspId): on a network one operator runs alone,
 * `flexchain deploy` approves for each of them.
 */
export function localAdminClients(flags: NetworkFlags, except: string): FlexChainClient[] {
  const dataDir = dataDirOf(flags);
  const manifest = readManifest(dataDir);
  if (!manifest) return [];
  const msp = join(dataDir, 'msp');
  return Array.from({ length: manifest.orgs }, (_, i) => mspIdOf(i + 1))
    .filter((mspId) => mspId !== except && existsSync(join(msp, mspId, 'admin.json')))
    .map((mspId) => connect({ gateway: flags.endpoint ?? manifest.endpoint, identity: loadSigningIdentity(msp, mspId, 'admin'), channelId: manifest.channelId }));
}

/** Connects as `--as <mspId>/<id>` (default: the given identity, normally Org1MSP/client). */
export function connectCli(flags: NetworkFlags, defaultIdentity = 'Org1MSP/client'): FlexChainClient {
  const dataDir = dataDirOf(flags);
  const manifest = readManifest(dataDir);
  if (!manifest) {
    throw new NetworkNotFoundError(`No network in ${dataDir}.`, { hint: 'Start one with `flexchain up`, or pass --data <dir> pointing at its data directory.' });
  }
  const endpoint = flags.endpoint ?? manifest.endpoint;
  const [mspId, id] = (flags.as ?? defaultIdentity).split('/');
  if (!mspId || !id) throw new NetworkNotFoundError(`--as must be <mspId>/<id>, e.g. Org1MSP/client; got ${JSON.stringify(flags.as)}.`);
  const identity = loadSigningIdentity(join(dataDir, 'msp'), mspId, id);
  return connect({ gateway: endpoint, identity, channelId: manifest.channelId });
}
