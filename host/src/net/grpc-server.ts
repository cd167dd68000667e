// Serves a GatewayApi over gRPC (protos/flexchain.proto in @flexchain/sdk).
// No handler lets an error escape: a result or error that grpc-js cannot send
// (an encoding it refuses, a closed stream) is logged, never rethrown into a
// promise callback where it would become an unhandled rejection.

import * as grpc from '@grpc/grpc-js';
import { gatewayServiceDefinition, toGrpcError, type GatewayApi, type Signed } from '@flexchain/sdk/protocol';

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;
interface SignedMessage {
  payload: Buffer;
  signature: Buffer;
  session: string;
}

export interface GrpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly messageBytesMax: number;
  readonly log?: (level: 'warn' | 'error', message: string) => void;
}

export class GrpcGatewayServer {
  private readonly server: grpc.Server;
  private readonly streams = new Set<grpc.ServerWritableStream<unknown, unknown>>();
  boundPort = 0;

  constructor(
    private readonly gateway: GatewayApi,
    private readonly options: GrpcServerOptions,
  ) {
    this.server = new grpc.Server({ 'grpc.max_receive_message_length': options.messageBytesMax, 'grpc.max_send_message_length': options.messageBytesMax });
    const reply = <Res>(method: string, work: () => Promise<Res>, callback: grpc.sendUnaryData<Res>) => {
      const send = (err: grpc.ServiceError | null, result?: Res) => {
        try {
          callback(err, result);
        } catch (sendErr) {
          this.options.log?.('error', `gRPC ${method}: could not send the reply: ${(sendErr as Error).message}`);
        }
      };
      work().then(
        (result) => send(null, result),
        (err: unknown) => send(toGrpcError(err) as grpc.ServiceError),
      );
    };
    const unary =
      <Res>(method: string, handler: (signed: Signed) => Promise<Res>): Unary<SignedMessage, Res> =>
      (call, callback) =>
        reply(method, async () => handler({ payload: call.request.payload, signature: call.request.signature, ...(call.request.session ? { session: call.request.session } : {}) }), callback);
    const gw = this.gateway;
    this.server.addService(gatewayServiceDefinition().service, {
      openSession: unary('openSession', async (s) => gw.openSession(s)),
      evaluate: unary('evaluate', async (s) => gw.evaluate(s)),
      endorse: unary('endorse', async (s) => {
        const r = await gw.endorse(s);
        return {
          response: r.response,
          endorsements: r.endorsements.map((e) => ({ mspId: e.endorser.mspId, id: e.endorser.id, signature: e.signature, ...(e.batch ? { batchIndex: e.batch.index, batchCount: e.batch.count, batchPath: e.batch.path } : {}) })),
        };
      }),
      submit: unary('submit', async (s) => gw.submit(s)),
      install: unary('install', async (s) => gw.install(s)),
      status: ((_call, callback) => reply('status', async () => ({ json: JSON.stringify(await gw.status()) }), callback)) as Unary<unknown, { json: string }>,
      events: ((call: grpc.ServerWritableStream<{ contract: string }, unknown>) => {
        this.streams.add(call);
        const unsubscribe = gw.events(call.request.contract, (event) => {
          try {
            call.write(event);
          } catch (err) {
            this.options.log?.('warn', `gRPC events: dropped a subscriber that could not take an event: ${(err as Error).message}`);
            end();
          }
        });
        const end = () => {
          unsubscribe();
          this.streams.delete(call);
        };
        call.on('cancelled', end);
        call.on('close', end);
        call.on('error', end);
      }) as grpc.handleServerStreamingCall<unknown, unknown>,
    });
  }

  start(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.bindAsync(`${this.options.host}:${this.options.port}`, grpc.ServerCredentials.createInsecure(), (err, port) => {
        if (err) return reject(err);
        this.boundPort = port;
        resolve(port);
      });
    });
  }

  stop(): Promise<void> {
    for (const stream of this.streams) stream.end();
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
