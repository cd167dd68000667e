// The caller of a transaction, as the network authenticated it.

export interface IdentityInfo {
  /** Membership service provider, i.e. the organisation: "Org1MSP". */
  readonly mspId: string;
  /** The identity's name within its organisation: "alice". */
  readonly id: string;
  /** Role the identity holds: member, peer, admin or client. */
  readonly role?: string;
  /** Attributes issued with the identity, e.g. { department: "audit" }. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export class ClientIdentity {
  readonly mspId: string;
  readonly id: string;
  readonly role: string;
  readonly attributes: Readonly<Record<string, string>>;

  constructor(info: IdentityInfo) {
    this.mspId = info.mspId;
    this.id = info.id;
    this.role = info.role ?? 'client';
    this.attributes = Object.freeze({ ...(info.attributes ?? {}) });
  }

  getMSPID(): string {
    return this.mspId;
  }

  getID(): string {
    return this.id;
  }

  getAttributeValue(name: string): string | undefined {
    return Object.prototype.hasOwnProperty.call(this.attributes, name) ? this.attributes[name] : undefined;
  }

  assertAttributeValue(name: string, value: string): boolean {
    return this.getAttributeValue(name) === value;
  }
}
