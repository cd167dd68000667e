// The gateway API over gRPC. Evaluate, endorse and submit go over one
// bidirectional stream in batches (what the client asks in one turn of its
// event loop is one message; the gateway answers likewise), since a unary call
// costs far more than its payload. The stream opens on first use and again
// after it fails; calls in flight when it fails are answered with the error.

import * as grpc from '@grpc/grpc-js';
import { FlexChainError } from '../errors';
import { decodeWireError, errorFromWire } from '../protocol/error-wire';
import { fromGrpcError, gatewayClientConstructor } from '../protocol/grpc-definition';
import { Outbox } from '../protocol/outbox';
import type { CommitStatus, ContractEvent, EndorseResult, EvaluateResult, GatewayApi, InstallResult, NetworkStatus, SessionResult } from '../protocol/gateway-api';
import type { Signed } from '../protocol/messages';
import type { TxValidationCodeName } from '../validation-code';

/** Largest message the client sends or accepts, in bytes; contract packages travel in one. */
export const CLIENT_MESSAGE_BYTES_MAX = 64 * 1024 * 1024;
/** Most bytes of signed payloads in one stream message: well inside the gateway's message bound. */
const STREAM_BATCH_BYTES_MAX = 4 * 1024 * 1024;

type EndorsementMessage = { mspId: string; id: string; signature: Buffer; batchIndex: number; batchCount: number; batchPath: Buffer[] };
interface StreamReply {
  id: number;
  error: Buffer;
  evaluate: { payload: Buffer } | null;
  endorse: { response: Buffer; endorsements: EndorsementMessage[] } | null;
  status: { txId: string; code: string; blockNum: number; txNum: number } | null;
}

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
  const pending = new Map<number, { resolve: (reply: StreamReply) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let stream: grpc.ClientDuplexStream<unknown, { replies: StreamReply[] }> | undefined;
  const failAll = (err: Error) => {
    stream = undefined;
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(err);
  };
  const openStream = () => {
    const s = (client['stream'] as () => grpc.ClientDuplexStream<unknown, { replies: StreamReply[] }>)();
    s.on('data', (batch: { replies?: StreamReply[] }) => {
      for (const reply of batch.replies ?? []) {
        const id = Number(reply.id);
        const waiter = pending.get(id);
        pending.delete(id);
        waiter?.resolve(reply);
      }
    });
    s.on('error', (err: grpc.ServiceError) => {
      if (stream === s) failAll(fromGrpcError(err, endpoint));
    });
    s.on('end', () => {
      if (stream === s) failAll(new FlexChainError(`The network at ${endpoint} closed the stream.`, { hint: 'Retry; the gateway may have restarted.' }));
    });
    return s;
  };
  const outbox = new Outbox<unknown>((requests) => (stream ??= openStream()).write({ requests }), { bytesMax: STREAM_BATCH_BYTES_MAX });
  const streamed = (op: 'evaluate' | 'endorse' | 'submit', signed: Signed): Promise<StreamReply> =>
    new Promise<StreamReply>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      outbox.push({ id, op, signed }, signed.payload.length + signed.signature.length);
    }).then((reply) => {
      if (reply.error && reply.error.length > 0) throw errorFromWire(decodeWireError(reply.error) ?? { name: 'FlexChainError', message: `The network at ${endpoint} sent an error it did not describe.` });
      return reply;
    });
  return {
    openSession: async (hello: Signed): Promise<SessionResult> => {
      const r = await call<{ session: string; expiresAtMs: number }>('openSession', hello);
      return { session: r.session, expiresAtMs: Number(r.expiresAtMs) };
    },
    evaluate: async (proposal: Signed): Promise<EvaluateResult> => {
      const r = (await streamed('evaluate', proposal)).evaluate!;
      return { payload: new Uint8Array(r.payload) };
    },
    endorse: async (proposal: Signed): Promise<EndorseResult> => {
      const r = (await streamed('endorse', proposal)).endorse!;
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
      const r = (await streamed('submit', transaction)).status!;
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
    close: () => {
      const s = stream;
      stream = undefined;
      s?.end();
      failAll(new FlexChainError('The client was closed.'));
      client.close();
    },
  };
}
