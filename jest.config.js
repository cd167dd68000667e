// One jest run for the whole repository. Packages are resolved to their
// TypeScript sources so a test never runs against a stale build.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/sdk', '<rootDir>/host', '<rootDir>/cli', '<rootDir>/contracts', '<rootDir>/templates', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] },
  moduleNameMapper: {
    '^@flexchain/sdk$': '<rootDir>/sdk/src/index.ts',
    '^@flexchain/sdk/(testing|protocol|client)$': '<rootDir>/sdk/src/$1/index.ts',
    '^@flexchain/host$': '<rootDir>/host/src/index.ts',
    '^@flexchain/host/bench-support$': '<rootDir>/host/src/bench-support.ts',
  },
};
