// Loads the gateway service definition from protos/flexchain.proto, and carries
// FlexChain errors across gRPC in the binary "flexchain-error-bin" trailer
// (error-wire.ts): binary metadata takes any bytes, so no error text can fail to
// encode, and the status line carries only an ASCII copy of the message.

import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { FlexChainError } from '../errors';
import { asciiSafe, decodeWireError, encodeWireError, errorFromWire, errorToWire } from './error-wire';

export const PROTO_PATH = join(__dirname, '..', '..', 'protos', 'flexchain.proto');
const ERROR_TRAILER = 'flexchain-error-bin';

export function gatewayServiceDefinition(): grpc.ServiceDefinition & { service: grpc.ServiceDefinition } {
  const definition = loadSync(PROTO_PATH, { keepCase: false, longs: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { flexchain: { v1: { Gateway: grpc.ServiceClientConstructor } } };
  return pkg.flexchain.v1.Gateway as unknown as grpc.ServiceDefinition & { service: grpc.ServiceDefinition };
}

export function gatewayClientConstructor(): grpc.ServiceClientConstructor {
  return gatewayServiceDefinition() as unknown as grpc.ServiceClientConstructor;
}

/** A server-side error as a gRPC status with the FlexChain error in a trailer. Never throws. */
export function toGrpcError(err: unknown): Partial<grpc.StatusObject> {
  const wire = errorToWire(err);
  const metadata = new grpc.Metadata();
  metadata.set(ERROR_TRAILER, encodeWireError(wire));
  return { code: grpc.status.UNKNOWN, details: asciiSafe(wire.message), metadata };
}

/** Rebuilds the server's error on the client, keeping its name, details and hint. */
export function fromGrpcError(err: grpc.ServiceError, endpoint: string): FlexChainError {
  const raw = err.metadata?.get(ERROR_TRAILER)[0];
  const wire = raw instanceof Uint8Array ? decodeWireError(raw) : undefined;
  if (wire) return errorFromWire(wire);
  if (err.code === grpc.status.UNAVAILABLE) {
    return new FlexChainError(`Cannot reach the network at ${endpoint}.`, { details: err.details, hint: 'Start it with `flexchain up`, or pass --endpoint / --data for the right network.', cause: err });
  }
  return new FlexChainError(`The network at ${endpoint} failed: ${err.details || err.message}`, { cause: err });
}
