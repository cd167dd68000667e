import { utf8Decode, type IdentityInfo } from '@flexchain/sdk';
import { MockWorldState, type MockContract } from '@flexchain/sdk/testing';
import { TokenContract } from '../src/contract';

const minter: IdentityInfo = { mspId: 'Org1MSP', id: 'minter' };
const alice: IdentityInfo = { mspId: 'Org2MSP', id: 'alice' };
const bob: IdentityInfo = { mspId: 'Org2MSP', id: 'bob' };
const account = (who: IdentityInfo) => `${who.mspId}::${who.id}`;

describe('TokenContract', () => {
  let world: MockWorldState;
  let token: MockContract<TokenContract>;

  beforeEach(async () => {
    world = new MockWorldState();
    token = world.deploy(TokenContract);
    await token.as(minter).submit('initialize', 'Demo', 'DMO', 2);
    await token.as(minter).submit('mint', 1_000n);
  });

  it('mints to the minter and tracks the total supply', async () => {
    expect(await token.evaluate('balanceOf', account(minter))).toBe(1_000n);
    expect(await token.evaluate('tokenInfo')).toEqual({ name: 'Demo', symbol: 'DMO', decimals: 2, totalSupply: 1_000n });
  });

  it('only the minter organisation may mint', async () => {
    await expect(token.as(alice).submit('mint', 5n)).rejects.toThrow('only members of Org1MSP may do this; caller is from Org2MSP');
  });

  it('transfers between accounts and emits Transfer', async () => {
    const tx = await token.as(minter).submit('transfer', account(alice), 250n);
    expect(await token.evaluate('balanceOf', account(alice))).toBe(250n);
    expect(await token.evaluate('balanceOf', account(minter))).toBe(750n);
    expect(utf8Decode(tx.events[0]!.payload)).toBe('{"from":"Org1MSP::minter","to":"Org2MSP::alice","value":"250"}');
  });

  it('refuses to overspend', async () => {
    await expect(token.as(alice).submit('transfer', account(bob), 1n)).rejects.toThrow('insufficient funds: Org2MSP::alice has 0, needs 1');
  });

  it('handles amounts beyond 2^53', async () => {
    await token.as(minter).submit('mint', 2n ** 70n);
    expect(await token.evaluate('balanceOf', account(minter))).toBe(2n ** 70n + 1_000n);
  });

  it('lets an approved spender transfer up to the allowance', async () => {
    await token.as(minter).submit('approve', account(bob), 100n);
    await token.as(bob).submit('transferFrom', account(minter), account(alice), 60n);
    expect(await token.evaluate('allowance', account(minter), account(bob))).toBe(40n);
    await expect(token.as(bob).submit('transferFrom', account(minter), account(alice), 41n)).rejects.toThrow('allowance exceeded');
    expect(await token.evaluate('balanceOf', account(alice))).toBe(60n);
  });

  it('burns tokens and lowers the supply', async () => {
    await token.as(minter).submit('burn', 400n);
    expect(((await token.evaluate('tokenInfo')) as { totalSupply: bigint }).totalSupply).toBe(600n);
  });
});
