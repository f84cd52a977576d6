// @ts-check

import payloadEsLintConfig from '@payloadcms/eslint-config'
import importX from 'eslint-plugin-import-x'
import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * Our sources import each other as `./x.js` (NodeNext) while the files are `x.ts`/`x.tsx`:
 * resolved here so the room rules below see every import (an unresolved one is not checked).
 */
const sourceResolver = {
  interfaceVersion: 3,
  name: 'ts-source',
  resolve: (/** @type {string} */ modulePath, /** @type {string} */ sourceFile) => {
    if (!modulePath.startsWith('.') || !modulePath.endsWith('.js')) {
      return { found: false }
    }
    const base = path.resolve(path.dirname(sourceFile), modulePath.slice(0, -3))
    const found = ['.ts', '.tsx'].map((ext) => base + ext).find((file) => existsSync(file))
    return found ? { found: true, path: found } : { found: false }
  },
}

/** `target` may not import from `from` (see the Rooms table in README's Architecture section). */
const room = (
  /** @type {string} */ target,
  /** @type {string[]} */ from,
  /** @type {string} */ message,
) => ({
  from: from.map((folder) => `./src/${folder}`),
  message,
  target: `./src/${target}`,
})

const roomZones = [
  room(
    'sending',
    ['campaigns', 'jobs'],
    'sending/ is the pipeline: it never imports the rooms above it.',
  ),
  room('jobs', ['campaigns'], 'jobs/ runs what campaigns/ hands it; it never imports campaigns/.'),
  room(
    'audience',
    ['campaigns', 'jobs', 'sending', 'store', 'webhooks'],
    'audience/ imports nothing of the pipeline.',
  ),
  room(
    'meta',
    ['campaigns', 'jobs', 'sending', 'store', 'webhooks', 'audience'],
    'meta/ imports nothing of ours.',
  ),
  room(
    'components',
    ['campaigns', 'jobs', 'sending', 'store', 'webhooks', 'meta'],
    'Admin components talk to the server rooms through REST endpoints only.',
  ),
]

/** Outside store/, only its index is public; unit specs of its pure rules (test/unit) may look inside. */
const storeInternalsZone = {
  except: ['./index.ts'],
  from: './src/store',
  message: 'Import the store through src/store/index.ts; its files are internals.',
  target: [
    ...['analytics', 'audience', 'campaigns', 'collections', 'components', 'endpoints'].map(
      (folder) => `./src/${folder}`,
    ),
    ...['exports', 'jobs', 'meta', 'sending', 'webhooks'].map((folder) => `./src/${folder}`),
    ...['index.ts', 'nextHelperProcess.ts', 'options.ts', 'pluginContext.ts'].map(
      (file) => `./src/${file}`,
    ),
    './bench',
    './dev',
    './test/browser',
    './test/chaos',
    './test/helpers',
    './test/int',
  ],
}

export const defaultESLintIgnores = [
  '**/.temp',
  '**/.*', // ignore all dotfiles
  '**/.git',
  '**/.hg',
  '**/.pnp.*',
  '**/.svn',
  '**/playwright.config.ts',
  '**/vitest.config.js',
  '**/tsconfig.tsbuildinfo',
  '**/README.md',
  '**/eslint.config.js',
  '**/payload-types.ts',
  '**/dist/',
  '**/.yarn/',
  '**/build/',
  '**/node_modules/',
  '**/temp/',
  // Next.js build output of the dev app and of the browser tests.
  '**/.next/**',
  '**/.next-*/**',
  'test-results/**',
  // The consumer test's Payload site: Payload's generated files, type checked by its own build.
  'test/consumer/site/**',
]

export default [
  { ignores: defaultESLintIgnores },
  ...payloadEsLintConfig,
  {
    rules: {
      'no-restricted-exports': 'off',
    },
  },
  {
    files: ['bench/**/*.ts', 'dev/**/*.ts', 'dev/**/*.tsx', 'test/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: [storeInternalsZone] }],
    },
    settings: {
      'import-x/resolver-next': [sourceResolver, importX.createNodeResolver()],
    },
  },
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: [...roomZones, storeInternalsZone] }],
    },
    settings: {
      // no-cycle follows imports only into files it may parse.
      'import-x/extensions': ['.ts', '.tsx', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
      'import-x/resolver-next': [sourceResolver, importX.createNodeResolver()],
    },
  },
  {
    languageOptions: {
      parserOptions: {
        sourceType: 'module',
        ecmaVersion: 'latest',
        projectService: {
          maximumDefaultProjectFileMatchCount_THIS_WILL_SLOW_DOWN_LINTING: 40,
          allowDefaultProject: [
            '*.js',
            '*.mjs',
            'payload.config.ts',
            'vitest.config.ts',
            'vitest.browser.config.ts',
            'vitest.chaos.config.ts',
          ],
        },
        // projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
  },
]
