// @flexchain/sdk/protocol: wire formats and signatures of the transaction lifecycle (Node only).

export * from './dependency-graph';
export * from './messages';
export * from './endorsement-batch';
export * from './signing';
export * from './gateway-api';
export * from './grpc-definition';
export * from './error-wire';
export * from './outbox';
export * from './metadata-rules';
