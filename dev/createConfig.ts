import type { Config, Plugin } from 'payload'

import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildConfig } from 'payload'
import sharp from 'sharp'

import type { WhatsAppCampaignsPluginOptions } from '../src/index.js'

import { whatsappCampaignsPlugin } from '../src/index.js'
import { databaseAdapter } from './database/adapter.js'

const dirname = path.dirname(fileURLToPath(import.meta.url))

export type CreateConfigArgs = {
  /** Extra MongoClient options, e.g. monitorCommands for the benchmark. */
  connectOptions?: Record<string, unknown>
  /** mongodb:// or postgres:// */
  databaseUri: string
  /** Where logs go, e.g. tests that read them. */
  logger?: Config['logger']
  onInit?: Config['onInit']
  pluginOptions?: WhatsAppCampaignsPluginOptions
  /** Extra plugins, e.g. tests adding collections. */
  plugins?: Plugin[]
}

/** The Payload config of the dev app and of the integration tests: users + the plugin. */
export const createConfig = ({
  connectOptions,
  databaseUri,
  logger,
  onInit,
  pluginOptions,
  plugins = [],
}: CreateConfigArgs) =>
  buildConfig({
    admin: {
      // Payload's default is a Gravatar image, which shows broken offline.
      avatar: 'default',
      importMap: { baseDir: path.resolve(dirname) },
      user: 'users',
    },
    collections: [
      {
        slug: 'users',
        admin: { useAsTitle: 'email' },
        auth: true,
        fields: [
          {
            name: 'role',
            type: 'select',
            defaultValue: 'editor',
            options: ['admin', 'editor', 'viewer'],
          },
        ],
      },
    ],
    db: databaseAdapter(databaseUri, connectOptions),
    // No rich text editor: nothing here has rich text, and Lexical 0.50's top-level-await entry
    // points make a plain Node 20 process (the worker) exit with code 13 now and then at import.
    logger,
    onInit,
    plugins: [whatsappCampaignsPlugin(pluginOptions), ...plugins],
    secret: process.env.PAYLOAD_SECRET || 'dev-secret-change-me-in-production',
    sharp,
    telemetry: false,
    // Types are generated on demand (npm run generate:types), never by a child process at boot.
    typescript: { autoGenerate: false, outputFile: path.resolve(dirname, 'payload-types.ts') },
  })
