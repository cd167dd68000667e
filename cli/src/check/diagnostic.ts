// A finding of the determinism check, located in the contract's source.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Path relative to the checked directory. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly severity: Severity;
  readonly rule: RuleId;
  readonly message: string;
  readonly hint: string;
}

/** Rule identifiers; stable, since users may filter on them. */
export type RuleId =
  | 'randomness'
  | 'clock'
  | 'timers'
  | 'weak-references'
  | 'shared-memory'
  | 'dynamic-code'
  | 'node-builtin-import'
  | 'node-global'
  | 'network'
  | 'locale'
  | 'module-state'
  | 'instance-state'
  | 'float-to-state';

export interface CheckReport {
  readonly root: string;
  readonly files: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
  readonly errorCount: number;
  readonly warningCount: number;
}
