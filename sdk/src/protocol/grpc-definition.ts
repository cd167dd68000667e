// Loads the gateway service definition from protos/flexchain.proto, and carries
// FlexChain errors across gRPC in the "flexchain-error" trailer.

import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { FlexChainError } from '../errors';

export const PROTO_PATH = join(__dirname, '..', '..', 'protos', 'flexchain.proto');
const ERROR_TRAILER = 'flexchain-error';

export function gatewayServiceDefinition(): grpc.ServiceDefinition & { service: grpc.ServiceDefinition } {
  const definition = loadSync(PROTO_PATH, { keepCase: false, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { flexchain: { v1: { Gateway: grpc.ServiceClientConstructor } } };
  return pkg.flexchain.v1.Gateway as unknown as grpc.ServiceDefinition & { service: grpc.ServiceDefinition };
}

export function gatewayClientConstructor(): grpc.ServiceClientConstructor {
  return gatewayServiceDefinition() as unknown as grpc.ServiceClientConstructor;
}

/** A server-side error as a gRPC status with the FlexChain error in a trailer. */
export function toGrpcError(err: unknown): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  const e = err instanceof FlexChainError ? { name: err.name, message: err.shortMessage, details: err.details, hint: err.hint } : { name: 'Error', message: err instanceof Error ? err.message : String(err) };
  metadata.set(ERROR_TRAILER, JSON.stringify(e));
  return { code: grpc.status.UNKNOWN, details: e.message, metadata };
}

/** Rebuilds the server's error on the client, keeping its name, details and hint. */
export function fromGrpcError(err: grpc.ServiceError, endpoint: string): FlexChainError {
  const raw = err.metadata?.get(ERROR_TRAILER)[0];
  if (typeof raw === 'string') {
    const e = JSON.parse(raw) as { name: string; message: string; details?: string; hint?: string };
    const error = new FlexChainError(e.message, { ...(e.details ? { details: e.details } : {}), ...(e.hint ? { hint: e.hint } : {}) });
    error.name = e.name;
    return error;
  }
  if (err.code === grpc.status.UNAVAILABLE) {
    return new FlexChainError(`Cannot reach the network at ${endpoint}.`, { details: err.details, hint: 'Start it with `flexchain up`, or pass --endpoint / --data for the right network.', cause: err });
  }
  return new FlexChainError(`The network at ${endpoint} failed: ${err.details || err.message}`, { cause: err });
}
