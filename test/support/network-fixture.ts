// A network for tests: an embedded network in a temp directory with contracts
// deployed, and a client acting as Org1MSP/client. close() stops and deletes it.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type FlexChainClient } from '@flexchain/sdk/client';
import { buildPackage, EmbeddedNetwork, loadSigningIdentity, type NetworkOptions } from '@flexchain/host';

export const CONTRACTS_DIR = join(__dirname, '..', '..', 'contracts');

export interface DeploySpec {
  /** Contract project directory. */
  readonly dir: string;
  /** Entry file, when the project has no package.json "main". */
  readonly entry?: string;
  readonly policy: string;
}

export interface TestNetwork {
  readonly dataDir: string;
  readonly network: EmbeddedNetwork;
  /** Org1MSP/client. */
  readonly client: FlexChainClient;
  /** Org1MSP/admin. */
  readonly admin: FlexChainClient;
  /** The admins of the other organisations, to approve contract definitions with admin's. */
  readonly approvers: readonly FlexChainClient[];
  /** A client for another identity of this network. */
  connectAs(mspId: string, id: string): FlexChainClient;
  close(): Promise<void>;
}

export async function startTestNetwork(options: Omit<NetworkOptions, 'dataDir'> & { deploy?: readonly DeploySpec[] }): Promise<TestNetwork> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flexchain-test-'));
  const { deploy = [], ...networkOptions } = options;
  const network = await EmbeddedNetwork.start({ grpc: false, ...networkOptions, dataDir });
  const clients: FlexChainClient[] = [];
  const connectAs = (mspId: string, id: string) => {
    const client = connect({ gateway: network.endpoint || network.gateway, identity: loadSigningIdentity(join(dataDir, 'msp'), mspId, id), channelId: network.manifest.channelId });
    clients.push(client);
    return client;
  };
  const admin = connectAs('Org1MSP', 'admin');
  const approvers = network.membership.organisations.filter((o) => o !== 'Org1MSP').map((o) => connectAs(o, 'admin'));
  for (const spec of deploy) {
    const built = await buildPackage(spec.dir, { outDir: join(dataDir, 'packages'), ...(spec.entry ? { entry: spec.entry } : {}) });
    await admin.deploy(readFileSync(built.file, 'utf8'), { version: '1', policy: spec.policy, approvers });
  }
  return {
    dataDir,
    network,
    admin,
    approvers,
    client: connectAs('Org1MSP', 'client'),
    connectAs,
    close: async () => {
      for (const client of clients) client.close();
      await network.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
