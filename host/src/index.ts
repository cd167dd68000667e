// @flexchain/host: runs FlexChain networks.

export { EmbeddedNetwork, readManifest, DEFAULT_CHANNEL_ID, DEFAULT_PORT, type NetworkOptions, type NetworkManifest } from './network';
export { resolveHostConfig, DEFAULT_HOST_CONFIG, type HostConfig, type HostConfigOverrides } from './config';
export { Gateway } from './gateway';
export { buildPackage, bundleContract, readMetadata, contractEntry, ContractBuildError, type BuiltPackage } from './sandbox/packager';
export { parsePackage, packageId, type ContractPackage } from './sandbox/contract-package';
export { ContractExecutor, ContractExecutionError, TxLimitExceededError } from './sandbox/contract-executor';
export { SandboxProcess, type ContractRunner } from './sandbox/sandbox-process';
export { loadSigningIdentity, createOrganisations, enrollIdentity, Membership, mspIdOf, type SigningIdentity, type PublicIdentity } from './identity/msp';
export { Peer, PeerHaltedError, StateDigestMismatchError, BlockChainBrokenError } from './peer/peer';
export { LedgerCorruptError } from './ledger/block-store';
export { LedgerDb } from './storage/ledger-db';
export { SoloOrderer } from './order/solo-orderer';
export { parsePolicy, formatPolicy, policySatisfied, PolicyInvalidError } from './validate/policy';
export { LIFECYCLE_CONTRACT } from './peer/lifecycle';
export { MemoryNode } from './state/remote-memory/memory-node';
export { MemoryNodeServer } from './state/transport/memory-node-server';
export { TcpMemoryClient } from './state/transport/tcp-memory-client';
export { DEFAULT_TIERED_STATE_LIMITS, type TieredStateLimits } from './state/tiered-world-state';
export { parseEndpoint } from './network';
export { guardProcess } from './process-guard';
