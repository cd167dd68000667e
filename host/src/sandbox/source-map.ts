// Maps positions in a contract bundle back to the contract's TypeScript, so a
// contract error names the line the developer wrote.

import { SourceMapConsumer, type RawSourceMap } from 'source-map-js';
import { BUNDLE_FILE_NAME } from './packager';

const BUNDLE_POSITION = new RegExp(`${BUNDLE_FILE_NAME.replace('.', '\\.')}:(\\d+):(\\d+)`, 'g');

export class StackMapper {
  private consumer: SourceMapConsumer | undefined;

  constructor(private readonly sourceMap: string) {}

  /** Rewrites contract.js:L:C in a stack trace to file.ts:L:C; leaves the rest alone. */
  map(stack: string): string {
    if (!this.sourceMap) return stack;
    this.consumer ??= new SourceMapConsumer(JSON.parse(this.sourceMap) as RawSourceMap);
    const consumer = this.consumer;
    return stack.replace(BUNDLE_POSITION, (whole, line: string, column: string) => {
      const original = consumer.originalPositionFor({ line: Number(line), column: Number(column) - 1 });
      return original.source && original.line !== null ? `${original.source}:${original.line}:${(original.column ?? 0) + 1}` : whole;
    });
  }
}
