import { MockWorldState, type MockContract } from '@flexchain/sdk/testing';
import { SmallbankContract } from '../src';

describe('smallbank', () => {
  let world: MockWorldState;
  let bank: MockContract<SmallbankContract>;
  const balances = async (id: string) => bank.evaluate('query', id);

  beforeEach(async () => {
    world = new MockWorldState({ printLogs: false });
    bank = world.deploy(SmallbankContract);
    await bank.submit('createAccount', 'alice', 100, 50);
    await bank.submit('createAccount', 'bob', 20, 10);
  });

  it('creates accounts once', async () => {
    expect(await balances('alice')).toEqual({ checking: 100, savings: 50 });
    await expect(bank.submit('createAccount', 'alice', 1, 1)).rejects.toThrow('account alice already exists');
  });

  it('sendPayment moves money between checking accounts', async () => {
    await bank.submit('sendPayment', 'alice', 'bob', 30);
    expect(await balances('alice')).toEqual({ checking: 70, savings: 50 });
    expect(await balances('bob')).toEqual({ checking: 50, savings: 10 });
  });

  it('sendPayment refuses insufficient funds and changes nothing', async () => {
    await expect(bank.submit('sendPayment', 'bob', 'alice', 21)).rejects.toThrow('insufficient funds: checking of bob is 20, cannot send 21');
    expect(await balances('bob')).toEqual({ checking: 20, savings: 10 });
    expect(await balances('alice')).toEqual({ checking: 100, savings: 50 });
  });

  it('depositChecking adds and rejects non-positive amounts before running', async () => {
    await bank.submit('depositChecking', 'bob', 5);
    expect(await balances('bob')).toEqual({ checking: 25, savings: 10 });
    await expect(bank.submit('depositChecking', 'bob', 0)).rejects.toThrow('Argument "amount" of transaction "depositChecking" must be an integer >= 1, got number 0 (out of range).');
  });

  it('transactSavings deposits and withdraws, never below zero', async () => {
    await bank.submit('transactSavings', 'alice', -50);
    expect(await balances('alice')).toEqual({ checking: 100, savings: 0 });
    await expect(bank.submit('transactSavings', 'alice', -1)).rejects.toThrow('insufficient funds: savings of alice is 0, cannot withdraw 1');
    await bank.submit('transactSavings', 'alice', 7);
    expect(await balances('alice')).toEqual({ checking: 100, savings: 7 });
  });

  it('writeCheck debits checking, with a penalty when the total does not cover it', async () => {
    await bank.submit('writeCheck', 'bob', 25);
    expect(await balances('bob')).toEqual({ checking: -5, savings: 10 });
    await bank.submit('writeCheck', 'bob', 6);
    expect(await balances('bob')).toEqual({ checking: -12, savings: 10 });
  });

  it('amalgamate moves all of one customer into the other checking account', async () => {
    await bank.submit('amalgamate', 'alice', 'bob');
    expect(await balances('alice')).toEqual({ checking: 0, savings: 0 });
    expect(await balances('bob')).toEqual({ checking: 170, savings: 10 });
    await expect(bank.submit('amalgamate', 'bob', 'bob')).rejects.toThrow('cannot amalgamate an account with itself');
  });

  it('reports unknown accounts', async () => {
    await expect(bank.submit('sendPayment', 'alice', 'nobody', 1)).rejects.toThrow('account nobody not found');
  });

  it('conflicting payments from one account: the second aborts with MVCC_READ_CONFLICT and money is conserved', async () => {
    const first = await bank.simulate('sendPayment', 'alice', 'bob', 60);
    const second = await bank.simulate('sendPayment', 'alice', 'bob', 60);
    const block = await world.commit(first, second);
    expect(block.transactions.map((r) => r.code)).toEqual(['VALID', 'MVCC_READ_CONFLICT']);
    expect(await balances('alice')).toEqual({ checking: 40, savings: 50 });
    expect(await balances('bob')).toEqual({ checking: 80, savings: 10 });
  });

  it('seeds accounts in bulk for benchmarks', async () => {
    await bank.submit('seedAccounts', 0, 3, 1000, 500);
    expect(await balances('2')).toEqual({ checking: 1000, savings: 500 });
    await expect(bank.submit('seedAccounts', 0, 1001, 1, 1)).rejects.toThrow(/"count" .* between 1 and 1000/);
  });
});
