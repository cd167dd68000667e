// The entry point bundled with every contract. It finds the exported contract
// class and exports, for the realm (bootstrap.ts), which instantiates the
// bundle afresh for every transaction:
//   metadata()                 -> ContractMetadata
//   simulate(request, host)    -> { ok: true, payload, rwset, events }, or throws (the realm reports { ok: false, error })
// `host` is the transaction's state get, range page and log; every read the
// SDK makes is traced. The host does not rely on this: it checks the reads
// reported against those it served.

export function runtimeEntrySource(entryPath: string): string {
  return `
import * as contractModule from ${JSON.stringify(entryPath)};
import { Contract, defineContract, contractMetadata, simulateTransaction, keySuccessor } from '@flexchain/sdk';

const exported = [contractModule.default, ...Object.values(contractModule)];
const classes = [...new Set(exported.filter((v) => typeof v === 'function' && v.prototype instanceof Contract))];

function definition() {
  if (classes.length === 0) throw new Error('The contract module exports no class that extends Contract. Export your contract class.');
  if (classes.length > 1 && !(contractModule.default && classes.includes(contractModule.default))) {
    throw new Error('The contract module exports several Contract classes (' + classes.map((c) => c.name).join(', ') + '). Export the one to deploy as default.');
  }
  return defineContract(contractModule.default && classes.includes(contractModule.default) ? contractModule.default : classes[0]);
}

export function metadata() {
  return contractMetadata(definition());
}

// A throw becomes {ok: false, error} in the realm, which describes any thrown value.
export async function simulate(request, host) {
  const def = definition();
  const state = {
    get: (key) => host.get(key),
    range: (startKey, endKey) => ({
      async *[Symbol.asyncIterator]() {
        let from = startKey;
        for (;;) {
          const page = await host.range(from, endKey, request.rangeBatch);
          for (const entry of page) yield entry;
          if (page.length < request.rangeBatch) return;
          from = keySuccessor(page[page.length - 1].key);
        }
      },
    }),
  };
  const result = await simulateTransaction({
    definition: def,
    instance: new def.contractClass(),
    fn: request.fn,
    args: request.args,
    identity: request.identity,
    state,
    txId: request.txId,
    timestamp: request.timestamp,
    channelId: request.channelId,
    limits: request.limits,
    log: (record) => host.log(record.level, record.message),
  });
  return { ok: true, kind: result.kind, payload: result.payload, rwset: result.rwset, events: result.events };
}
`;
}
