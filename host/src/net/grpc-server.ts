// Serves a GatewayApi over gRPC (protos/flexchain.proto in @flexchain/sdk).
// No handler lets an error escape: a result or error that grpc-js cannot send
// (an encoding it refuses, a closed stream) is logged, never rethrown into a
// promise callback where it would become an unhandled rejection.

import * as grpc from '@grpc/grpc-js';
import { FlexChainError } from '@flexchain/sdk';
import { encodeWireError, errorToWire, gatewayServiceDefinition, Outbox, toGrpcError, type Endorsement, type GatewayApi, type Signed } from '@flexchain/sdk/protocol';

type Unary<Req, Res> = grpc.handleUnaryCall<Req, Res>;
interface SignedMessage {
  payload: Buffer;
  signature: Buffer;
  session: string;
}

interface StreamRequest {
  id: number;
  op: string;
  signed: SignedMessage | null;
}

const signedOf = (m: SignedMessage): Signed => ({ payload: m.payload, signature: m.signature, ...(m.session ? { session: m.session } : {}) });

export class GatewayBusyError extends FlexChainError {
  override name = 'GatewayBusyError';
}

export interface GrpcServerOptions {
  readonly host: string;
  readonly port: number;
  readonly messageBytesMax: number;
  /** Calls one stream may have in flight; past it a call is refused at once (HostConfig.grpcStreamCallsInFlightMax). */
  readonly streamCallsInFlightMax: number;
  readonly log?: (level: 'warn' | 'error', message: string) => void;
}

export class GrpcGatewayServer {
  private readonly server: grpc.Server;
  private readonly streams = new Set<{ end(): void }>();
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
        reply(method, async () => handler(signedOf(call.request)), callback);
    const gw = this.gateway;
    this.server.addService(gatewayServiceDefinition().service, {
      openSession: unary('openSession', async (s) => gw.openSession(s)),
      evaluate: unary('evaluate', async (s) => gw.evaluate(s)),
      endorse: unary('endorse', async (s) => {
        const r = await gw.endorse(s);
        return { response: r.response, endorsements: r.endorsements.map(endorsementMessage) };
      }),
      submit: unary('submit', async (s) => gw.submit(s)),
      install: unary('install', async (s) => gw.install(s)),
      status: ((_call, callback) => reply('status', async () => ({ json: JSON.stringify(await gw.status()) }), callback)) as Unary<unknown, { json: string }>,
      stream: ((call: grpc.ServerDuplexStream<{ requests: StreamRequest[] }, unknown>) => this.serveStream(call)) as grpc.handleBidiStreamingCall<unknown, unknown>,
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

  /**
   * Calls arrive in batches on one stream; each is answered on its own as it
   * settles, and the answers of one event-loop turn go back as one batch. An
   * error travels in the reply, in the wire form, so one failed call fails only itself.
   */
  private serveStream(call: grpc.ServerDuplexStream<{ requests: StreamRequest[] }, unknown>): void {
    const handle = { end: () => call.end() };
    this.streams.add(handle);
    let open = true;
    const outbox = new Outbox<unknown>((replies) => {
      if (!open) return;
      try {
        call.write({ replies });
      } catch (err) {
        this.options.log?.('warn', `gRPC stream: could not send replies: ${(err as Error).message}`);
      }
    });
    const gw = this.gateway;
    let inFlight = 0;
    const refuse = (id: number, err: unknown) => outbox.push({ id, error: encodeWireError(errorToWire(err)) });
    const answer = (id: number, work: () => Promise<Record<string, unknown>>) => {
      if (inFlight >= this.options.streamCallsInFlightMax) {
        const busy = new GatewayBusyError(`This stream already has ${inFlight} calls in flight, the most the gateway takes (grpcStreamCallsInFlightMax).`, { hint: 'Wait for replies before sending more.' });
        return refuse(id, busy);
      }
      inFlight++;
      work().then(
        (result) => outbox.push({ id, ...result }),
        (err: unknown) => refuse(id, err),
      ).finally(() => inFlight--);
    };
    call.on('data', (batch: { requests?: StreamRequest[] }) => {
      for (const r of batch.requests ?? []) {
        const id = Number(r.id);
        if (!r.signed) {
          refuse(id, new Error('the stream request carries no signed message'));
          continue;
        }
        const signed = signedOf(r.signed);
        if (r.op === 'evaluate') answer(id, async () => ({ evaluate: await gw.evaluate(signed) }));
        else if (r.op === 'endorse') {
          answer(id, async () => {
            const e = await gw.endorse(signed);
            return { endorse: { response: e.response, endorsements: e.endorsements.map(endorsementMessage) } };
          });
        } else if (r.op === 'submit') answer(id, async () => ({ status: await gw.submit(signed) }));
        else refuse(id, new Error(`unknown stream operation ${JSON.stringify(String(r.op)).slice(0, 40)}`));
      }
    });
    const close = () => {
      open = false;
      this.streams.delete(handle);
    };
    call.on('end', () => {
      close();
      call.end();
    });
    call.on('cancelled', close);
    call.on('error', close);
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

function endorsementMessage(e: Endorsement): Record<string, unknown> {
  return { mspId: e.endorser.mspId, id: e.endorser.id, signature: e.signature, ...(e.batch ? { batchIndex: e.batch.index, batchCount: e.batch.count, batchPath: e.batch.path } : {}) };
}
