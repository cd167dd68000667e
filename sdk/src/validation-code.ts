// Transaction validity codes, named and numbered as in Hyperledger Fabric's
// TxValidationCode so operators can read them without a lookup table.
// The numbers are a wire and on-disk format: do not renumber.

export const TxValidationCode = {
  VALID: 0,
  BAD_PAYLOAD: 2,
  BAD_CREATOR_SIGNATURE: 4,
  INVALID_ENDORSER_TRANSACTION: 5,
  BAD_PROPOSAL_TXID: 8,
  DUPLICATE_TXID: 9,
  ENDORSEMENT_POLICY_FAILURE: 10,
  MVCC_READ_CONFLICT: 11,
  PHANTOM_READ_CONFLICT: 12,
  BAD_RWSET: 22,
  ILLEGAL_WRITESET: 23,
  INVALID_CHAINCODE: 25,
  NOT_VALIDATED: 254,
  INVALID_OTHER_REASON: 255,
} as const;

export type TxValidationCodeName = keyof typeof TxValidationCode;

export function validationCodeName(code: number): TxValidationCodeName | undefined {
  return (Object.keys(TxValidationCode) as TxValidationCodeName[]).find((name) => TxValidationCode[name] === code);
}
