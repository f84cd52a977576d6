import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { CsvPreview } from './csvPreview.js'

import { previewCsv } from './csvPreview.js'
import { CsvAudienceError } from './csvRows.js'
import { openAudienceFile } from './csvSource.js'

export type AudiencePreviewInput = {
  account?: number | string
  audienceType?: string
  csvFile?: number | string
}

export type AudiencePreview = {
  csv?: CsvPreview
  /** Why the audience cannot be read, in words an editor can act on. */
  error?: string
  /** Fields the parameter-mapping picker offers. */
  fields: string[]
}

const contactBaseFields = ['name', 'phone', 'displayName', 'labels']

/** Contact fields, plus the attribute keys found on a sample of the account's contacts. */
const contactFields = async (
  payload: Payload,
  options: ResolvedOptions,
  account: number | string | undefined,
): Promise<string[]> => {
  const { docs } = await payload.find({
    collection: options.slugs.contacts,
    depth: 0,
    limit: 200,
    pagination: false,
    select: { attributes: true },
    where: account === undefined ? {} : { account: { equals: account } },
  })
  const keys = new Set<string>()
  for (const doc of docs) {
    const attributes: unknown = doc.attributes
    if (attributes && typeof attributes === 'object' && !Array.isArray(attributes)) {
      Object.keys(attributes).forEach((key) => keys.add(key))
    }
  }
  return [...contactBaseFields, ...[...keys].sort().map((key) => `attributes.${key}`)]
}

/** The fields an audience offers and, for a CSV, a preview of the file; for the campaign form. */
export const audiencePreview = async (
  payload: Payload,
  options: ResolvedOptions,
  input: AudiencePreviewInput,
): Promise<AudiencePreview> => {
  const { audienceType = 'contacts' } = input
  if (audienceType === 'contacts') {
    return { fields: await contactFields(payload, options, input.account) }
  }
  if (audienceType === 'csv') {
    if (input.csvFile === undefined) {
      return { fields: [] }
    }
    try {
      const file = await openAudienceFile({
        slug: options.slugs.audienceFiles,
        fileId: String(input.csvFile),
        payload,
      })
      const csv = await previewCsv(file, { defaultCountryCode: options.defaultCountryCode })
      return { csv, fields: csv.columns }
    } catch (error) {
      if (error instanceof CsvAudienceError) {
        return { error: error.message, fields: [] }
      }
      throw error
    }
  }
  const audience = options.audiences[audienceType]
  if (!audience) {
    return {
      error: `The audience "${audienceType}" is not registered in the plugin's audiences option.`,
      fields: [],
    }
  }
  return { fields: audience.fields ?? [] }
}
