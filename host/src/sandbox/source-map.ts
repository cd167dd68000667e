// Maps positions in a contract bundle back to the contract's TypeScript, so a
// contract error names the line the developer wrote. Only the first
// framesMax lines of a stack are mapped and kept: a contract controls its
// stack, and mapping a million frames would block the host.

import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';
import { BUNDLE_FILE_NAME } from './contract-package';

const BUNDLE_POSITION = new RegExp(`${BUNDLE_FILE_NAME.replace('.', '\\.')}:(\\d+):(\\d+)`, 'g');

export class StackMapper {
  private consumer: SourceMapConsumer | undefined;

  constructor(
    private readonly sourceMap: string,
    private readonly framesMax: number,
  ) {}

  /** Rewrites contract.js:L:C in the first framesMax lines of a stack trace to file.ts:L:C; cuts the rest. */
  map(fullStack: string): string {
    const lines = fullStack.split('\n', this.framesMax + 2);
    const cut = lines.length > this.framesMax + 1;
    const stack = lines.slice(0, this.framesMax + 1).join('\n') + (cut ? `\n    … (frames after the first ${this.framesMax} cut)` : '');
    if (!this.sourceMap) return stack;
    try {
      this.consumer ??= new SourceMapConsumer(JSON.parse(this.sourceMap) as RawSourceMap);
    } catch {
      // A hand-made package's map may be malformed; the bundle positions still help.
      return stack;
    }
    const consumer = this.consumer;
    return stack.replace(BUNDLE_POSITION, (whole, line: string, column: string) => {
      const original = consumer.originalPositionFor({ line: Number(line), column: Number(column) - 1 });
      return original.source && original.line !== null ? `${original.source}:${original.line}:${(original.column ?? 0) + 1}` : whole;
    });
  }
}
