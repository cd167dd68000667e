import { grpcTransport } from '@flexchain/sdk/client';
import type { GatewayApi } from '@flexchain/sdk/protocol';
import { GrpcGatewayServer } from './grpc-server';

describe('GrpcGatewayServer stream', () => {
  it('refuses calls over streamCallsInFlightMax at once, answers the others, and keeps serving', async () => {
    const gateway = {
      evaluate: () => new Promise((resolve) => setTimeout(() => resolve({ payload: new Uint8Array([1]) }), 50)),
    } as unknown as GatewayApi;
    const server = new GrpcGatewayServer(gateway, { host: '127.0.0.1', port: 0, messageBytesMax: 1024 * 1024, streamCallsInFlightMax: 2 });
    const port = await server.start();
    const transport = grpcTransport(`127.0.0.1:${port}`);
    try {
      const signed = { payload: new Uint8Array([7]), signature: new Uint8Array(0) };
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => transport.evaluate(signed)));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(2);
      for (const o of outcomes.filter((o) => o.status === 'rejected')) expect((o as PromiseRejectedResult).reason).toMatchObject({ name: 'GatewayBusyError' });
      expect((await transport.evaluate(signed)).payload).toEqual(new Uint8Array([1]));
    } finally {
      transport.close();
      await server.stop();
    }
  });
});
