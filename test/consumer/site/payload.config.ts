import { mongooseAdapter } from '@payloadcms/db-mongodb'
import { postgresAdapter } from '@payloadcms/db-postgres'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildConfig } from 'payload'
import { whatsappCampaignsPlugin } from 'payload-plugin-whatsapp-campaigns'
import sharp from 'sharp'

const dirname = path.dirname(fileURLToPath(import.meta.url))
const databaseUri = process.env.DATABASE_URI ?? ''

/** A site as the README tells users to set one up: users plus the plugin, on either database. */
export default buildConfig({
  admin: {
    importMap: { baseDir: path.resolve(dirname) },
    user: 'users',
  },
  collections: [{ slug: 'users', auth: true, fields: [] }],
  db: databaseUri.startsWith('postgres')
    ? postgresAdapter({ pool: { connectionString: databaseUri } })
    : mongooseAdapter({ url: databaseUri }),
  plugins: [whatsappCampaignsPlugin({})],
  secret: process.env.PAYLOAD_SECRET ?? '',
  sharp,
  typescript: { outputFile: path.resolve(dirname, 'payload-types.ts') },
})
