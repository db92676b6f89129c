// The bpmn-io packages ship ES modules only: let ts-jest turn them into CommonJS.
const esmOnly = ['@bpmn-io', 'bpmn-moddle', 'moddle', 'moddle-xml', 'min-dash', 'saxen', 'feelin', 'lezer-feel', '@lezer', 'luxon'];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', esModuleInterop: true } }],
  },
  transformIgnorePatterns: [`node_modules/(?!(${esmOnly.join('|')})/)`],
  testTimeout: 60000,
  maxWorkers: 2,
};
