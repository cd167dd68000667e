// Number options on the command line, checked when commander parses them.

import { FlexChainError } from '@flexchain/sdk';

export class OptionInvalidError extends FlexChainError {
  override name = 'OptionInvalidError';
}

/** A parser for option `name` that accepts numbers passing `test`, described as `what` in the error. */
export const numberOption = (name: string, test: (n: number) => boolean, what: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !test(n)) throw new OptionInvalidError(`${name} must be ${what}, got ${JSON.stringify(value)}.`);
  return n;
};

export const wholeNumberOption = (name: string) => numberOption(name, Number.isSafeInteger, 'a whole number');
export const countOption = (name: string) => numberOption(name, (n) => Number.isSafeInteger(n) && n >= 0, 'a whole number, 0 or more');
export const positiveWholeNumberOption = (name: string) => numberOption(name, (n) => Number.isSafeInteger(n) && n > 0, 'a positive whole number');
