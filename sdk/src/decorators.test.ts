import { Context, Contract, Evaluate, Submit, t, defineContract, contractMetadata } from './index';

describe('contract definitions', () => {
  it('derives metadata from decorators, including inherited transactions', () => {
    class Base extends Contract {
      @Evaluate(['id', t.string()])
      async read(_ctx: Context, _id: string) {}
    }
    class Asset extends Base {
      static override contractName = 'asset';
      @Submit(['id', t.string({ maxLength: 64 })], ['value', t.optional(t.bigint())])
      async create(_ctx: Context, _id: string, _value?: bigint) {}
      async notATransaction() {}
    }
    expect(contractMetadata(defineContract(Asset))).toEqual({
      name: 'asset',
      transactions: [
        { name: 'create', kind: 'submit', params: [{ name: 'id', type: { type: 'string', maxLength: 64 } }, { name: 'value', type: { type: 'optional', of: { type: 'bigint' } } }] },
        { name: 'read', kind: 'evaluate', params: [{ name: 'id', type: { type: 'string' } }] },
      ],
    });
  });

  it('rejects required parameters after optional ones, duplicates and bad names', () => {
    expect(() => Submit(['a', t.optional(t.int())], ['b', t.int()])).toThrow('@Submit parameter "b" is required but follows optional "a".');
    expect(() => Submit(['a', t.int()], ['a', t.int()])).toThrow('@Submit declares parameter "a" twice.');
    expect(() => Evaluate(['not valid', t.int()])).toThrow(/is not an identifier/);
    expect(() => Submit('a' as never)).toThrow(/must be \[name, type\]/);
  });

  it('explains that legacy experimentalDecorators are not supported', () => {
    const legacyCall = () => (Submit() as unknown as (target: object, key: string, d: PropertyDescriptor) => void)({}, 'm', { value: () => {} });
    expect(legacyCall).toThrow(/Remove "experimentalDecorators" from tsconfig.json/);
  });

  it('refuses classes that are not contracts or have no transactions', () => {
    expect(() => defineContract(class NotAContract {} as never)).toThrow(/must be a class that extends Contract/);
    class Empty extends Contract {}
    expect(() => defineContract(Empty)).toThrow('Contract Empty has no transactions.\nHint: Mark methods with @Submit(...) or @Evaluate(...).');
  });
});
