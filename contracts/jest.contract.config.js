// Jest config for running one sample contract's tests from its own folder
// (`npm test -w contracts/smallbank`). The root config runs them all.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: require.resolve('../tsconfig.jest.json') }] },
  moduleNameMapper: {
    '^@flexchain/sdk$': require.resolve('../sdk/src/index.ts'),
    '^@flexchain/sdk/(testing|protocol|client)$': require.resolve('../sdk/src/index.ts').replace(/index\.ts$/, '$1/index.ts'),
  },
};
