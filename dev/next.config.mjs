import { withPayload } from '@payloadcms/next/withPayload'

/** @type {import('next').NextConfig} */
const nextConfig = {
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
