// Jest runs TypeScript through SWC (ts-jest does not support TypeScript 7);
// `npm test` type-checks with tsc first. Octokit and a few of its dependencies
// ship only ES modules, so they are transformed too.
/** @type {import('jest').Config} */
const esmOnly = [
  '@octokit',
  'universal-user-agent',
  'before-after-hook',
  'fast-content-type-parse',
  'json-with-bigint',
  'bottleneck',
  'content-type',
  // @octokit/auth-app's JWT signer (its `toad-cache` ships CommonJS too)
  'universal-github-app-jwt',
].join('|');

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  // Each Jest process gets its own database (advisory locks are per database; test/support/database.ts).
  setupFilesAfterEnv: ['<rootDir>/test/support/process-database.ts'],
  testTimeout: 30000,
  // Four workers on two cores halve the wall time: the suite mostly waits (git and bot processes, PostgreSQL,
  // the fakes). The two timing races they showed are fixed (status.test.ts "GitHub slow but answering": its
  // margins; the kill-point tests: the recovering bot keeps a real intent lease, test/support/kill-points.ts).
  maxWorkers: 4,
};
