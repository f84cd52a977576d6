import type { CollectionConfig } from 'payload'

import { APIError } from 'payload'

import type { ResolvedOptions } from '../options.js'

import { adminGroup } from './adminGroup.js'

const csvMimeTypes = ['text/csv', 'application/csv', 'text/plain', 'application/vnd.ms-excel']

/** CSV files for csv audiences; stored with Payload's own upload handling. */
export const audienceFilesCollection = (options: ResolvedOptions): CollectionConfig => ({
  slug: options.slugs.audienceFiles,
  access: {
    create: options.access.update,
    delete: options.access.update,
    read: options.access.read,
    update: options.access.update,
  },
  admin: { group: adminGroup },
  fields: [],
  hooks: {
    beforeOperation: [
      ({ args, operation }) => {
        const file = (args as { req?: { file?: { name?: string; size?: number } } }).req?.file
        if ((operation === 'create' || operation === 'update') && file) {
          if (!/\.(?:csv|txt)$/i.test(file.name ?? '')) {
            throw new APIError(`Audience files must be .csv files; got "${file.name}".`, 400)
          }
          if ((file.size ?? 0) > options.maxCsvBytes) {
            throw new APIError(
              `The CSV file is ${file.size} bytes; the limit is ${options.maxCsvBytes} bytes.`,
              413,
            )
          }
        }
        return args
      },
    ],
  },
  labels: { plural: 'Audience files', singular: 'Audience file' },
  upload: { mimeTypes: csvMimeTypes },
})
