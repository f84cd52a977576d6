import type { AudienceRow } from '../options.js'
import type { CampaignStore, NewRecipient } from '../store/index.js'
import type { ExcludedPhones } from './excludedPhones.js'

import { tallyCallingCode } from '../audience/costEstimate.js'
import { normalizePhone } from '../audience/normalizePhone.js'
import { readPath, textOf } from '../audience/readPath.js'
import { resolveParameters } from '../audience/renderComponents.js'

const insertBatchSize = 1000

export type MaterializeArgs = {
  campaignId: string
  defaultCountryCode: string
  /** Phones (E.164 digits) this template may not reach (opted out, blocked, ...), with why. */
  excludedPhones: ExcludedPhones
  nameField: string
  /**
   * Of these phones (E.164 digits), the ones the frequency cap stops, with why; absent when no
   * cap applies to this campaign's template.
   */
  overCap?: (phones: string[]) => Promise<ExcludedPhones>
  parameterMappings: Record<string, string>
  phoneField: string
  rows: AsyncIterable<AudienceRow>
  store: CampaignStore
  /** The template's category, kept on each recipient (the frequency cap counts MARKETING ones). */
  templateCategory?: string
  templateComponents: unknown[]
}

export type MaterializeResult = {
  /** Recipients left to send, per country calling code (for the cost estimate). */
  pendingByCallingCode: Map<string, number>
}

const display = (value: unknown) => {
  const text = (textOf(value) ?? '').trim()
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}

/**
 * Streams the audience into recipients in bulk inserts: each phone normalized and kept once,
 * each row's template parameters resolved (Meta's components are built from them at send). A
 * row that cannot be sent becomes a failed recipient saying why; it never stops the campaign.
 */
export const materializeAudience = async (args: MaterializeArgs): Promise<MaterializeResult> => {
  const { campaignId, store, templateCategory } = args
  await store.deleteRecipients(campaignId)
  const seen = new Set<string>()
  const pendingByCallingCode = new Map<string, number>()
  let buffer: NewRecipient[] = []
  let rowNumber = 0

  const flush = async () => {
    if (buffer.length === 0) {
      return
    }
    const rows = buffer
    buffer = []
    // The cap is checked a batch at a time: one count query per insert.
    const capped = args.overCap
      ? await args.overCap(rows.filter((r) => r.status === 'pending').map((r) => r.phoneNumber))
      : undefined
    const checked = rows.map((row): NewRecipient => {
      const reason = row.status === 'pending' ? capped?.get(row.phoneNumber) : undefined
      return reason === undefined
        ? row
        : { name: row.name, errorMessage: reason, phoneNumber: row.phoneNumber, status: 'failed' }
    })
    for (const row of checked) {
      if (row.status === 'pending') {
        tallyCallingCode(pendingByCallingCode, row.phoneNumber)
      }
    }
    await store.insertRecipients(
      campaignId,
      checked.map((row) => ({ ...row, templateCategory })),
    )
  }

  for await (const row of args.rows) {
    rowNumber++
    const rawPhone = readPath(row, args.phoneField)
    const rawName = readPath(row, args.nameField)
    const name = textOf(rawName)
    const phone = normalizePhone(rawPhone, args.defaultCountryCode)
    // Invalid phones are kept once each too, under what was written (or the row number).
    const key = phone.ok ? phone.phone : display(rawPhone) || `(no phone, row ${rowNumber})`
    if (seen.has(key)) {
      continue
    }
    seen.add(key)
    if (!phone.ok) {
      buffer.push({ name, errorMessage: phone.error, phoneNumber: key, status: 'failed' })
    } else if (args.excludedPhones.has(phone.phone)) {
      buffer.push({
        name,
        errorMessage: args.excludedPhones.get(phone.phone),
        phoneNumber: key,
        status: 'failed',
      })
    } else {
      const resolved = resolveParameters({
        components: args.templateComponents,
        parameterMappings: args.parameterMappings,
        row,
      })
      buffer.push(
        resolved.ok
          ? { name, parameters: resolved.parameters, phoneNumber: key, status: 'pending' }
          : { name, errorMessage: resolved.error, phoneNumber: key, status: 'failed' },
      )
    }
    if (buffer.length >= insertBatchSize) {
      await flush()
    }
  }
  await flush()
  await store.recount(campaignId)
  return { pendingByCallingCode }
}
