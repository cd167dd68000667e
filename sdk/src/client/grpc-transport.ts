// The gateway API over gRPC.

import * as grpc from '@grpc/grpc-js';
import { fromGrpcError, gatewayClientConstructor } from '../protocol/grpc-definition';
import type { CommitStatus, ContractEvent, EndorseResult, EvaluateResult, GatewayApi, InstallResult, NetworkStatus, SessionResult } from '../protocol/gateway-api';
import type { Signed } from '../protocol/messages';
import type { TxValidationCodeName } from '../validation-code';

/** Largest message the client sends or accepts, in bytes; contract packages travel in one. */
export const CLIENT_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;

export interface GrpcTransport extends GatewayApi {
  close(): void;
}

export function grpcTransport(endpoint: string): GrpcTransport {
  const Client = gatewayClientConstructor();
  const client = new Client(endpoint, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': CLIENT_MESSAGE_BYTES_MAX,
    'grpc.max_send_message_length': CLIENT_MESSAGE_BYTES_MAX,
  }) as grpc.Client & Record<string, Function>;
  const call = <Res>(method: string, request: unknown): Promise<Res> =>
    new Promise((resolve, reject) => {
      client[method]!(request, (err: grpc.ServiceError | null, response: Res) => (err ? reject(fromGrpcError(err, endpoint)) : resolve(response)));
    });
  return {
    openSession: async (hello: Signed): Promise<SessionResult> => {
      const r = await call<{ session: string; expiresAtMs: number }>('openSession', hello);
      return { session: r.session, expiresAtMs: Number(r.expiresAtMs) };
    },
    evaluate: async (proposal: Signed): Promise<EvaluateResult> => {
      const r = await call<{ payload: Buffer }>('evaluate', proposal);
      return { payload: new Uint8Array(r.payload) };
    },
    endorse: async (proposal: Signed): Promise<EndorseResult> => {
      const r = await call<{ response: Buffer; endorsements: { mspId: string; id: string; signature: Buffer; batchIndex: number; batchCount: number; batchPath: Buffer[] }[] }>('endorse', proposal);
      return {
        response: new Uint8Array(r.response),
        endorsements: r.endorsements.map((e) => ({
          endorser: { mspId: e.mspId, id: e.id },
          signature: new Uint8Array(e.signature),
          ...(e.batchCount > 0 ? { batch: { index: e.batchIndex, count: e.batchCount, path: e.batchPath.map((n) => new Uint8Array(n)) } } : {}),
        })),
      };
    },
    submit: async (transaction: Signed): Promise<CommitStatus> => {
      const r = await call<{ txId: string; code: string; blockNum: number; txNum: number }>('submit', transaction);
      return { txId: r.txId, code: r.code as TxValidationCodeName, blockNum: Number(r.blockNum), txNum: r.txNum };
    },
    install: (signed: Signed) => call<InstallResult>('install', signed),
    status: async (): Promise<NetworkStatus> => JSON.parse((await call<{ json: string }>('status', {})).json) as NetworkStatus,
    events: (contract: string, listener: (event: ContractEvent) => void): (() => void) => {
      const stream = client['events']!({ contract }) as grpc.ClientReadableStream<{ contract: string; name: string; payload: Buffer; txId: string; blockNum: number }>;
      stream.on('data', (e) => listener({ contract: e.contract, name: e.name, payload: new Uint8Array(e.payload), txId: e.txId, blockNum: Number(e.blockNum) }));
      stream.on('error', () => undefined);
      return () => stream.cancel();
    },
    close: () => client.close(),
  };
}
