import type { ParsedAccountUpdate } from './accountUpdates.js'
import type { ParsedCategoryUpdate } from './categoryUpdates.js'
import type { ParsedQualityUpdate } from './qualityUpdates.js'

import { parseAccountUpdate } from './accountUpdates.js'
import { parseCategoryUpdate } from './categoryUpdates.js'
import { parseQualityUpdate } from './qualityUpdates.js'
import { type EntryMeta, list, metaTime, object, text } from './webhookValues.js'

/** The parts of Meta's webhook body the plugin acts on, with where each came from. */
export type ParsedStatus = {
  errorCode?: number
  errorMessage?: string
  messageId: string
  phoneNumberId: string
  raw: Record<string, unknown>
  recipientId?: string
  status: 'delivered' | 'failed' | 'read' | 'sent'
  timestamp: Date
}

export type ParsedMessage = {
  /** A quick-reply button's payload (type "button"). */
  buttonPayload?: string
  /** The message this one answers (context.id): a campaign message's id for replies and taps. */
  contextId?: string
  from: string
  name?: string
  phoneNumberId: string
  raw: Record<string, unknown>
  text?: string
  /** When the person sent it (Meta's timestamp; arrival time when absent). */
  timestamp: Date
  type: string
}

export type ParsedTemplateUpdate = {
  event: string
  language?: string
  metaId?: string
  name?: string
  reason?: string
  /** The entry's time: orders status changes of one template that arrive reordered. */
  timestamp: Date
  wabaId: string
}

/** A person stopped or resumed a category of messages (field "user_preferences"). */
export type ParsedUserPreference = {
  category: string
  name?: string
  phoneNumberId: string
  raw: Record<string, unknown>
  timestamp: Date
  value: string
  waId: string
}

/**
 * One change other than delivery statuses, as the endpoint logs it for the applier: its field,
 * its value (statuses left out: they are logged one by one), the entry's WABA id and time.
 */
export type ParsedChange = {
  field: string
  phoneNumberId?: string
  /** The entry's time, which orders WABA-level changes. */
  time?: unknown
  value: Record<string, unknown>
  wabaId?: string
}

export type ParsedWebhook = {
  /** Field "account_update": restrictions, bans, violations of a WABA. */
  accountUpdates: ParsedAccountUpdate[]
  /** Field "template_category_update". */
  categoryUpdates: ParsedCategoryUpdate[]
  changes: ParsedChange[]
  messages: ParsedMessage[]
  /** Phone number ids of the message changes: the accounts whose secret must sign the body. */
  phoneNumberIds: Set<string>
  /** Field "phone_number_quality_update". */
  qualityUpdates: ParsedQualityUpdate[]
  statuses: ParsedStatus[]
  templateUpdates: ParsedTemplateUpdate[]
  userPreferences: ParsedUserPreference[]
  /** WABA ids of template, quality and account changes, likewise. */
  wabaIds: Set<string>
}

export class WebhookShapeError extends Error {}

const statusValues = new Set(['delivered', 'failed', 'read', 'sent'])

/** The fields about a whole WABA (entry id), each read by its own parser into `parsed`. */
const wabaFields: Record<
  string,
  (parsed: ParsedWebhook, value: Record<string, unknown>, entry: EntryMeta) => void
> = {
  account_update: (parsed, value, entry) =>
    parsed.accountUpdates.push(parseAccountUpdate(value, entry)),
  message_template_status_update: (parsed, value, { time, wabaId }) =>
    parsed.templateUpdates.push({
      name: text(value.message_template_name),
      event: String(text(value.event) ?? ''),
      language: text(value.message_template_language),
      metaId: text(value.message_template_id),
      reason: text(value.reason),
      timestamp: time,
      wabaId,
    }),
  phone_number_quality_update: (parsed, value, entry) =>
    parsed.qualityUpdates.push(parseQualityUpdate(value, entry)),
  template_category_update: (parsed, value, entry) =>
    parsed.categoryUpdates.push(parseCategoryUpdate(value, entry)),
}

/** Reads Meta's webhook envelope; throws WebhookShapeError on anything that is not one. */
export const parseWebhook = (body: unknown): ParsedWebhook => {
  const root = object(body)
  if (!root || !Array.isArray(root.entry)) {
    throw new WebhookShapeError('Not a WhatsApp webhook: expected an object with an "entry" array.')
  }
  const parsed: ParsedWebhook = {
    accountUpdates: [],
    categoryUpdates: [],
    changes: [],
    messages: [],
    phoneNumberIds: new Set(),
    qualityUpdates: [],
    statuses: [],
    templateUpdates: [],
    userPreferences: [],
    wabaIds: new Set(),
  }
  for (const entry of list(root.entry)) {
    const wabaId = text(object(entry)?.id)
    // WABA-level changes carry no time of their own: the entry's orders reordered ones.
    const time = metaTime(object(entry)?.time) ?? new Date()
    for (const change of list(object(entry)?.changes)) {
      const field = text(object(change)?.field)
      const value = object(object(change)?.value)
      if (!value) {
        throw new WebhookShapeError('A change without a "value" object.')
      }
      const { statuses, ...rest } = value
      // A messages change carrying only statuses has nothing else to apply.
      if (field && (field !== 'messages' || list(value.messages).length > 0)) {
        parsed.changes.push({
          field,
          phoneNumberId: text(object(value.metadata)?.phone_number_id),
          time: object(entry)?.time,
          value: statuses === undefined ? value : rest,
          wabaId,
        })
      }
      const wabaField = field ? wabaFields[field] : undefined
      if (wabaField) {
        if (!wabaId) {
          throw new WebhookShapeError(`A ${field} change without the entry id (WABA id).`)
        }
        parsed.wabaIds.add(wabaId)
        wabaField(parsed, value, { time, wabaId })
        continue
      }
      if (field !== 'messages' && field !== 'user_preferences') {
        continue
      }
      const phoneNumberId = text(object(value.metadata)?.phone_number_id)
      if (!phoneNumberId) {
        throw new WebhookShapeError(`A ${field} change without metadata.phone_number_id.`)
      }
      parsed.phoneNumberIds.add(phoneNumberId)
      const contacts = list(value.contacts).map(object)
      const profileName = (waId: string) =>
        text(object(contacts.find((c) => text(c?.wa_id) === waId)?.profile)?.name)
      if (field === 'user_preferences') {
        for (const item of list(value.user_preferences)) {
          const preference = object(item)
          const waId = text(preference?.wa_id)
          const seconds = Number(text(preference?.timestamp))
          if (!preference || !waId || !Number.isFinite(seconds)) {
            throw new WebhookShapeError('A user preference without wa_id and a timestamp.')
          }
          parsed.userPreferences.push({
            name: profileName(waId),
            category: String(text(preference.category) ?? ''),
            phoneNumberId,
            raw: preference,
            timestamp: new Date(seconds * 1000),
            value: String(text(preference.value) ?? ''),
            waId,
          })
        }
        continue
      }
      for (const item of list(value.statuses)) {
        const status = object(item)
        const messageId = text(status?.id)
        const kind = text(status?.status)
        const seconds = Number(text(status?.timestamp))
        if (
          !status ||
          !messageId ||
          !kind ||
          !statusValues.has(kind) ||
          !Number.isFinite(seconds)
        ) {
          throw new WebhookShapeError('A status without id, a known status and a timestamp.')
        }
        const error = object(list(status.errors)[0])
        const details = text(object(error?.error_data)?.details)
        const title = text(error?.title) ?? text(error?.message)
        parsed.statuses.push({
          errorCode: typeof error?.code === 'number' ? error.code : undefined,
          errorMessage: error
            ? [title, details].filter(Boolean).join(': ') || undefined
            : undefined,
          messageId,
          phoneNumberId,
          raw: status,
          recipientId: text(status.recipient_id),
          status: kind as ParsedStatus['status'],
          timestamp: new Date(seconds * 1000),
        })
      }
      for (const item of list(value.messages)) {
        const message = object(item)
        const from = text(message?.from)
        if (!message || !from) {
          throw new WebhookShapeError('An inbound message without "from".')
        }
        parsed.messages.push({
          name: profileName(from),
          type: String(text(message.type) ?? 'unknown'),
          buttonPayload: text(object(message.button)?.payload),
          contextId: text(object(message.context)?.id),
          from,
          phoneNumberId,
          raw: message,
          text: text(object(message.text)?.body) ?? text(object(message.button)?.text),
          timestamp: metaTime(message.timestamp) ?? new Date(),
        })
      }
    }
  }
  return parsed
}
