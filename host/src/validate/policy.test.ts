import { endorsingOrganisations, formatPolicy, majorityPolicy, parsePolicy, policySatisfied } from './policy';

const peer = (mspId: string) => ({ mspId, role: 'peer' });

describe('endorsement policies', () => {
  const policy = parsePolicy("AND('Org1.member', OutOf(1, 'Org2.peer', 'Org3.peer'))");

  it('parses and prints AND / OR / OutOf', () => {
    expect(formatPolicy(policy)).toBe("AND('Org1.member', OR('Org2.peer', 'Org3.peer'))");
    expect(formatPolicy(parsePolicy(" or ( 'Org1MSP.admin' , \"Org2.client\" ) "))).toBe("OR('Org1MSP.admin', 'Org2.client')");
    expect(formatPolicy(parsePolicy("OutOf(2, 'A.peer', 'B.peer', 'C.peer')"))).toBe("OutOf(2, 'A.peer', 'B.peer', 'C.peer')");
  });

  it('evaluates with each signer counted once', () => {
    expect(policySatisfied(policy, [peer('Org1MSP'), peer('Org3MSP')])).toBe(true);
    expect(policySatisfied(policy, [peer('Org1MSP')])).toBe(false);
    expect(policySatisfied(policy, [peer('Org2MSP'), peer('Org3MSP')])).toBe(false);
    expect(policySatisfied(parsePolicy("AND('Org1.member', 'Org1.member')"), [peer('Org1MSP')])).toBe(false);
    expect(policySatisfied(parsePolicy("AND('Org1.member', 'Org1.member')"), [peer('Org1MSP'), peer('Org1MSP')])).toBe(true);
    expect(policySatisfied(parsePolicy("'Org1.admin'"), [peer('Org1MSP')])).toBe(false);
  });

  it('finds the smallest set of organisations that can endorse', () => {
    expect(endorsingOrganisations(policy, ['Org1MSP', 'Org2MSP', 'Org3MSP'])).toEqual(['Org1MSP', 'Org2MSP']);
    expect(endorsingOrganisations(majorityPolicy(['Org1MSP', 'Org2MSP', 'Org3MSP']), ['Org1MSP', 'Org2MSP', 'Org3MSP'])).toEqual(['Org1MSP', 'Org2MSP']);
    expect(endorsingOrganisations(parsePolicy("'Org9.peer'"), ['Org1MSP'])).toBeUndefined();
  });

  it('points at the error', () => {
    expect(() => parsePolicy("AND('Org1.member' 'Org2.member')")).toThrow(/invalid at character 19: expected "\)"/);
    expect(() => parsePolicy("'Org1.owner'")).toThrow(/principal 'Org1.owner' is not 'Org.role'/);
    expect(() => parsePolicy("OutOf(3, 'A.peer', 'B.peer')")).toThrow(/OutOf\(3, \.\.\.\) needs between 1 and 2/);
    expect(() => parsePolicy('MAYBE()')).toThrow(/unknown operator "MAYBE"/);
  });
});
