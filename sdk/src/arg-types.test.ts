import fc from 'fast-check';
import { t, TypeMismatchError, type Type } from './arg-types';

describe('argument types', () => {
  const cases: [string, Type<any>, fc.Arbitrary<unknown>][] = [
    ['int', t.int(), fc.maxSafeInteger()],
    ['bigint', t.bigint(), fc.bigInt()],
    ['number', t.number(), fc.double({ noNaN: true, noDefaultInfinity: true })],
    ['string', t.string(), fc.string()],
    ['bytes', t.bytes(), fc.uint8Array()],
    ['object', t.object({ a: t.bigint(), b: t.optional(t.array(t.boolean())) }), fc.record({ a: fc.bigInt(), b: fc.option(fc.array(fc.boolean()), { nil: undefined }) }, { requiredKeys: ['a'] })],
  ];
  it.each(cases)('%s: check(toWire(check(x))) equals check(x) after a JSON round trip', (_name, type, arb) => {
    fc.assert(
      fc.property(arb, (value) => {
        const checked = type.check(value);
        const wire = JSON.parse(JSON.stringify(type.toWire(checked) ?? null)) as unknown;
        expect(type.check(wire)).toEqual(checked);
      }),
    );
  });

  it('int rejects fractions, unsafe integers and strings', () => {
    expect(() => t.int().check(1.5, 'x')).toThrow('x must be an integer, got number 1.5.');
    expect(() => t.int().check(2 ** 60, 'x')).toThrow(/beyond ±2\^53; use t.bigint\(\)/);
    expect(() => t.int().check('1', 'x')).toThrow(TypeMismatchError);
    expect(() => t.int({ min: 1 }).check(0, 'x')).toThrow('x must be an integer >= 1, got number 0 (out of range).');
  });

  it('bigint accepts decimal strings only in canonical form', () => {
    expect(t.bigint().check('-42')).toBe(-42n);
    expect(() => t.bigint().check('042')).toThrow(TypeMismatchError);
    expect(() => t.bigint().check('1e3')).toThrow(TypeMismatchError);
    expect(() => t.bigint({ max: 10n }).check(11n, 'v')).toThrow(/<= 10/);
  });

  it('enum, string length and pattern', () => {
    expect(t.enum('red', 'green').check('red')).toBe('red');
    expect(() => t.enum('red', 'green').check('blue', 'c')).toThrow('c must be one of "red", "green", got string "blue".');
    expect(t.string({ maxLength: 1 }).check('😀')).toBe('😀');
    expect(() => t.string({ minLength: 2, maxLength: 3 }).check('a', 's')).toThrow('s must be a string of 2 to 3 characters, got string "a" (1 characters).');
    expect(() => t.string({ pattern: /^[a-z]+$/ }).check('A1', 's')).toThrow(/matching/);
  });

  it('optional treats null as absent; json rejects values without canonical form', () => {
    expect(t.optional(t.int()).check(null)).toBeUndefined();
    expect(() => t.json().check({ n: NaN }, 'doc')).toThrow(/doc must be a JSON value/);
    expect(() => t.void().check(1, 'return value')).toThrow(/must be nothing/);
  });
});
