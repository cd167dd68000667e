// @flexchain/sdk/client: talk to a FlexChain network (Node only).

export { connect, createProposal, toWireArgument, type ProposalParameters, type FlexChainClient, type ConnectParameters, type ClientIdentityKeys, type CallOptions, type SubmitResult, type DeployResult, type ContractDefinitionRequest } from './client';
export { grpcTransport, type GrpcTransport } from './grpc-transport';
