// ESLint (flat config, typescript-eslint with type information): `npm run lint`, and a step of `npm test`.
import { fileURLToPath, URL } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Node modules that do I/O or read the machine: rendering must not import them. */
const IO_MODULES = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'child_process', 'os', 'crypto', 'dgram', 'tls', 'dns'];

export default tseslint.config(
  {
    // Generated (imports/), build outputs, caches, binaries and recorded results.
    ignores: ['node_modules/', 'imports/', 'dist/', 'build/', '.cache/', 'bench/results/', 'bin/', '.venv/', '.cluster/', 'coverage/'],
  },
  // An `eslint-disable` comment that no longer suppresses anything is an error, so none outlives its reason.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // TypeScript with type information (the plain .js config files are outside tsconfig.json and get no typed rules).
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: fileURLToPath(new URL('.', import.meta.url)) },
    },
    rules: {
      // A promise nobody awaits loses its rejection (an unhandled rejection ends the process); `void` says "on purpose".
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `_`-prefixed names are unused on purpose (destructuring a field away, a callback's unused parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  {
    // Rendering is pure (charts/, api/): no Kubernetes client, no controller or local-cluster code, no I/O, no clock,
    // randomness or environment. test/unit/architecture.test.ts checks the same with a grep.
    files: ['charts/**/*.ts', 'api/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: '@kubernetes/client-node', message: 'rendering is pure: the Kubernetes client belongs in controllers/' },
          ...IO_MODULES.flatMap((m) => [`node:${m}`, m]).map((name) => ({ name, message: 'rendering is pure: no I/O in charts/ or api/' })),
        ],
        patterns: [
          { group: ['**/controllers/**', '**/localcluster/**', '**/cli/**'], message: 'rendering is pure: charts/ and api/ do not import controllers/, localcluster/ or cli/' },
        ],
      }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'rendering is pure: no clock' },
        { object: 'Math', property: 'random', message: 'rendering is pure: no randomness' },
        { object: 'process', property: 'env', message: 'rendering is pure: no environment' },
      ],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date']", message: 'rendering is pure: no clock' }],
    },
  },
);
