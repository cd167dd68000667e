// Serves a GatewayApi over gRPC (protos/flexchain.proto in @flexchain/sdk).

import * as grpc from '@grpc/grpc-js';
import { gatewayServiceDefinition, toGrpcError, type GatewayApi, type Signed } from '@flexchain/sdk/protocol';

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;
interface SignedMessage {
  payload: Buffer;
  signature: Buffer;
}

export interface GrpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly messageBytesMax: number;
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
    const unary =
      <Res>(handler: (signed: Signed) => Promise<Res>): Unary<SignedMessage, Res> =>
      (call, callback) => {
        handler({ payload: call.request.payload, signature: call.request.signature }).then(
          (result) => callback(null, result),
          (err: unknown) => callback(toGrpcError(err) as grpc.ServiceError),
        );
      };
    const gw = this.gateway;
    this.server.addService(gatewayServiceDefinition().service, {
      evaluate: unary(async (s) => gw.evaluate(s)),
      endorse: unary(async (s) => {
        const r = await gw.endorse(s);
        return { response: r.response, endorsements: r.endorsements.map((e) => ({ mspId: e.endorser.mspId, id: e.endorser.id, signature: e.signature })) };
      }),
      submit: unary(async (s) => gw.submit(s)),
      install: unary(async (s) => gw.install(s)),
      status: ((_call, callback) => {
        gw.status().then(
          (status) => callback(null, { json: JSON.stringify(status) }),
          (err: unknown) => callback(toGrpcError(err) as grpc.ServiceError),
        );
      }) as Unary<unknown, { json: string }>,
      events: ((call: grpc.ServerWritableStream<{ contract: string }, unknown>) => {
        this.streams.add(call);
        const unsubscribe = gw.events(call.request.contract, (event) => call.write(event));
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
