import { withPayload } from '@payloadcms/next/withPayload'

/** @type {import('next').NextConfig} */
const nextConfig = {
  // The browser tests run their own dev server beside yours, in a build folder of its own.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  webpack: (webpackConfig) => {
    webpackConfig.resolve.extensionAlias = {
      '.cjs': ['.cts', '.cjs'],
      '.js': ['.ts', '.tsx', '.js', '.jsx'],
      '.mjs': ['.mts', '.mjs'],
    }

    return webpackConfig
  },
  // Node servers and drivers: loaded by Node, never bundled.
  serverExternalPackages: [
    '@push.rocks/smartmongo',
    'agenda',
    '@agendajs/mongo-backend',
    'mongodb',
  ],
}

export default withPayload(nextConfig, { devBundleServerPackages: false })
