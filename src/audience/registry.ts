import type { Payload, PayloadRequest } from 'payload'

import type { AudienceRow, NamedAudience, ResolvedOptions } from '../options.js'
import type { CsvPreview } from './csvPreview.js'

import { AudienceError } from './audienceError.js'
import { contactsSource } from './contactsSource.js'
import { previewCsv } from './csvPreview.js'
import { CsvAudienceError, inspectCsv } from './csvRows.js'
import { csvSource, openAudienceFile } from './csvSource.js'
import { namedSource } from './namedSource.js'
import {
  earlierCampaign,
  type RetargetChoice,
  retargetFields,
  retargetSource,
} from './retargetSource.js'

/** The campaign (saved or being edited) whose audience is read. */
export type AudienceQuery = {
  /** The campaign's account: contacts are per account. */
  accountId?: string
  campaign: { id: number | string } & Record<string, unknown>
  /** The uploaded CSV's id, for a CSV audience. */
  csvFile?: string
  /** A Payload `where` narrowing the contacts. */
  filters?: unknown
  payload: Payload
  req?: PayloadRequest
  /** The earlier campaign and outcome (and button), for a retargeting audience. */
  retarget?: RetargetChoice
}

export type AudiencePreview = {
  csv?: CsvPreview
  /** Why the audience cannot be read, in words an editor can act on. */
  error?: string
  /** Fields the parameter-mapping picker offers. */
  fields: string[]
  /** The audience's first row: the form shows each mapping's value in it as an example. */
  firstRow?: AudienceRow
}

export { AudienceError }

/** One audience type (contacts, csv, retarget, or a named audience), as every caller sees it. */
export type AudienceEntry = {
  /**
   * Whether rows hold only `fields`, so a mapping to another field is refused before Run
   * (contacts' attributes and a named audience without `fields` may hold any).
   */
  closedFields: boolean
  /** The fields its rows offer to parameter mappings. */
  fields: (query: AudienceQuery) => Promise<string[]>
  nameField: string
  phoneField: string
  preview: (query: AudienceQuery) => Promise<AudiencePreview>
  rows: (query: AudienceQuery) => AsyncIterable<AudienceRow>
}

const firstOf = async (rows: AsyncIterable<AudienceRow>): Promise<AudienceRow | undefined> => {
  for await (const row of rows) {
    return row
  }
  return undefined
}

/** Errors an editor can act on become the preview's message; anything else is a server fault. */
const previewError = (error: unknown, fields: string[] = []): AudiencePreview => {
  if (error instanceof AudienceError || error instanceof CsvAudienceError) {
    return { error: error.message, fields }
  }
  throw error
}

const contactBaseFields = ['name', 'phone', 'displayName', 'labels']

const contactsEntry = (options: ResolvedOptions): AudienceEntry => {
  const rows = (query: AudienceQuery) =>
    contactsSource({
      slug: options.slugs.contacts,
      accountId: query.accountId ?? '',
      filters: query.filters,
      payload: query.payload,
    })
  /** Contact fields, plus the attribute keys found on a sample of the account's contacts. */
  const fields = async ({ accountId, payload }: AudienceQuery) => {
    const { docs } = await payload.find({
      collection: options.slugs.contacts,
      depth: 0,
      limit: 200,
      pagination: false,
      select: { attributes: true },
      where: accountId === undefined ? {} : { account: { equals: accountId } },
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
  return {
    closedFields: false,
    fields,
    nameField: 'name',
    phoneField: 'phone',
    preview: async (query) => ({
      fields: await fields(query),
      firstRow: query.accountId === undefined ? undefined : await firstOf(rows(query)),
    }),
    rows,
  }
}

const csvEntry = (options: ResolvedOptions): AudienceEntry => {
  const open = ({ csvFile, payload }: AudienceQuery) => {
    if (!csvFile) {
      throw new AudienceError('A CSV audience needs a CSV file.')
    }
    return openAudienceFile({ slug: options.slugs.audienceFiles, fileId: csvFile, payload })
  }
  return {
    closedFields: true,
    fields: async (query) => (await inspectCsv(await open(query), { previewRows: 0 })).columns,
    nameField: 'name',
    phoneField: 'phone',
    preview: async (query) => {
      if (!query.csvFile) {
        // Nothing uploaded yet: nothing to show, nothing wrong.
        return { fields: [] }
      }
      try {
        const csv = await previewCsv(await open(query), {
          defaultCountryCode: options.defaultCountryCode,
        })
        return { csv, fields: csv.columns, firstRow: csv.preview[0]?.row }
      } catch (error) {
        return previewError(error)
      }
    },
    rows: (query) =>
      csvSource({
        slug: options.slugs.audienceFiles,
        fileId: query.csvFile ?? '',
        payload: query.payload,
      }),
  }
}

const retargetEntry = (options: ResolvedOptions): AudienceEntry => {
  const earlier = (query: AudienceQuery) =>
    earlierCampaign({
      choice: query.retarget ?? {},
      currentId: query.campaign.id,
      options,
      payload: query.payload,
    })
  async function* rows(query: AudienceQuery) {
    const { button, doc, outcome } = await earlier(query)
    yield* retargetSource({
      slug: options.slugs.recipients,
      button,
      campaignId: doc.id,
      outcome,
      payload: query.payload,
    })
  }
  return {
    closedFields: true,
    fields: async (query) => retargetFields(query.payload, options, (await earlier(query)).doc),
    nameField: 'name',
    phoneField: 'phone',
    preview: async (query) => {
      if (!query.retarget?.campaign) {
        // No earlier campaign picked yet: nothing to show, nothing wrong.
        return { fields: [] }
      }
      try {
        const { doc } = await earlier(query)
        return {
          fields: await retargetFields(query.payload, options, doc),
          firstRow: await firstOf(rows(query)),
        }
      } catch (error) {
        return previewError(error)
      }
    },
    rows,
  }
}

const namedEntry = (
  options: ResolvedOptions,
  key: string,
  audience: NamedAudience,
): AudienceEntry => {
  const rows = ({ campaign, payload, req }: AudienceQuery) =>
    namedSource({ audience, campaign, key, payload, req })
  const fields = audience.fields ?? []
  return {
    closedFields: audience.fields !== undefined,
    fields: () => Promise.resolve(fields),
    nameField: audience.nameField ?? options.nameField,
    phoneField: audience.phoneField ?? options.phoneField,
    preview: async (query) => {
      try {
        return { fields, firstRow: await firstOf(rows(query)) }
      } catch (error) {
        return { error: (error as Error).message, fields }
      }
    },
    rows,
  }
}

/**
 * The audience registry: `contacts`, `csv`, `retarget` (an earlier campaign's recipients by
 * outcome) and the named audiences of the plugin's options, each read the same way. Throws an
 * AudienceError for a type that is not registered.
 */
const builtIn: Record<string, (options: ResolvedOptions) => AudienceEntry> = {
  contacts: contactsEntry,
  csv: csvEntry,
  retarget: retargetEntry,
}

export const audienceEntry = (options: ResolvedOptions, audienceType: string): AudienceEntry => {
  if (Object.hasOwn(builtIn, audienceType)) {
    return builtIn[audienceType](options)
  }
  const audience = Object.hasOwn(options.audiences, audienceType)
    ? options.audiences[audienceType]
    : undefined
  if (!audience) {
    throw new AudienceError(
      `The audience "${audienceType}" is not registered in the plugin's audiences option.`,
    )
  }
  return namedEntry(options, audienceType, audience)
}

/** The preview of any audience type, for the campaign form; an unknown type is an error shown there. */
export const audiencePreview = async (
  options: ResolvedOptions,
  audienceType: string,
  query: AudienceQuery,
): Promise<AudiencePreview> => {
  try {
    return await audienceEntry(options, audienceType).preview(query)
  } catch (error) {
    return previewError(error)
  }
}
