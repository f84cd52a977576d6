import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type {
  PendingEvent,
  PendingReplyEvent,
  PendingStatusEvent,
  WebhookEventRecord,
} from '../store/index.js'
import type { WebhookAccount } from './accounts.js'
import type { ParsedChange, ParsedStatus, ParsedWebhook } from './parseWebhook.js'

import { getPluginOptions } from '../pluginContext.js'
import { getStore, pricingOf } from '../store/index.js'
import { reloadWebhookAccounts, webhookAccounts } from './accounts.js'
import { applyAccountUpdates } from './accountUpdates.js'
import { applyCategoryUpdates } from './categoryUpdates.js'
import { handleInboundMessages } from './inboundMessages.js'
import { parseWebhook } from './parseWebhook.js'
import { applyStatusSignals, applyUserPreferences } from './personSignals.js'
import { applyQualityUpdates } from './qualityUpdates.js'
import { applyTemplateUpdates } from './templateUpdates.js'

type ChangeContext = { accounts: WebhookAccount[]; options: ResolvedOptions; payload: Payload }

/**
 * What the applier does with each field of Meta's webhook other than delivery statuses: the one
 * place a new field plugs in. A field with no handler is logged and otherwise left alone.
 */
const changeHandlers: Record<
  string,
  { apply: (context: ChangeContext, parsed: ParsedWebhook) => Promise<void>; kind: LoggedKind }
> = {
  account_update: {
    apply: ({ accounts, options, payload }, parsed) =>
      applyAccountUpdates(payload, options, parsed.accountUpdates, accounts),
    kind: 'other',
  },
  message_template_status_update: {
    apply: ({ accounts, options, payload }, parsed) =>
      applyTemplateUpdates(payload, options, parsed.templateUpdates, accounts),
    kind: 'template',
  },
  messages: {
    apply: ({ accounts, options, payload }, parsed) =>
      handleInboundMessages(payload, options, parsed.messages, accounts),
    kind: 'message',
  },
  phone_number_quality_update: {
    apply: ({ accounts, options, payload }, parsed) =>
      applyQualityUpdates(payload, options, parsed.qualityUpdates, accounts),
    kind: 'other',
  },
  template_category_update: {
    apply: ({ accounts, options, payload }, parsed) =>
      applyCategoryUpdates(payload, options, parsed.categoryUpdates, accounts),
    kind: 'template',
  },
  user_preferences: {
    apply: ({ accounts, options, payload }, parsed) =>
      applyUserPreferences(payload, options, parsed.userPreferences, accounts),
    kind: 'other',
  },
}

type LoggedKind = WebhookEventRecord['kind']

/** The log rows of a verified webhook: one per status, one per other change. */
export const loggedEvents = (parsed: ParsedWebhook): WebhookEventRecord[] => [
  ...parsed.statuses.map((s) => ({
    errorCode: s.errorCode,
    errorMessage: s.errorMessage,
    kind: 'status' as const,
    messageId: s.messageId,
    payload: s.raw,
    phoneNumberId: s.phoneNumberId,
    status: s.status,
    timestamp: s.timestamp,
  })),
  // A reply to a message (a campaign's, maybe) gets a row of its own, which waits for the
  // send result like an early status.
  ...parsed.messages.flatMap((m) =>
    m.contextId
      ? [
          {
            kind: 'reply' as const,
            messageId: m.contextId,
            payload: {
              button: m.type === 'button' ? (m.buttonPayload ?? m.text) : undefined,
              text: m.text,
            },
            phoneNumberId: m.phoneNumberId,
            timestamp: m.timestamp,
          },
        ]
      : [],
  ),
  ...parsed.changes.map((change) => ({
    kind: changeHandlers[change.field]?.kind ?? 'other',
    payload: change,
    phoneNumberId: change.phoneNumberId,
  })),
]

const statusValues = new Set<string>(['delivered', 'failed', 'read', 'sent'])

const asStatusEvent = (event: PendingEvent): PendingStatusEvent | undefined =>
  event.kind === 'status' &&
  event.messageId &&
  event.timestamp &&
  event.status &&
  statusValues.has(event.status)
    ? {
        id: event.id,
        applyOp: event.applyOp,
        errorCode: event.errorCode,
        errorMessage: event.errorMessage,
        messageId: event.messageId,
        pricing: pricingOf(event.payload),
        status: event.status as PendingStatusEvent['status'],
        timestamp: event.timestamp,
      }
    : undefined

const asReplyEvent = (event: PendingEvent): PendingReplyEvent | undefined => {
  const logged = (event.payload ?? {}) as Record<string, unknown>
  return event.kind === 'reply' && event.messageId && event.timestamp
    ? {
        id: event.id,
        button: typeof logged.button === 'string' ? logged.button : undefined,
        messageId: event.messageId,
        text: typeof logged.text === 'string' ? logged.text : undefined,
        timestamp: event.timestamp,
      }
    : undefined
}

/** The failed statuses' person signals (131050, 131026) need the recipient's phone. */
const failedStatuses = (events: PendingEvent[]): ParsedStatus[] =>
  events.flatMap((event) => {
    const status = asStatusEvent(event)
    const raw = (event.payload ?? {}) as Record<string, unknown>
    return status?.status === 'failed' && event.phoneNumberId
      ? [
          {
            ...status,
            phoneNumberId: event.phoneNumberId,
            raw,
            recipientId: typeof raw.recipient_id === 'string' ? raw.recipient_id : undefined,
          },
        ]
      : []
  })

/** A logged change, read back through the parser that checked it on arrival. */
const parsedChange = (change: ParsedChange): ParsedWebhook =>
  parseWebhook({
    entry: [
      {
        id: change.wabaId,
        changes: [{ field: change.field, value: change.value }],
        time: change.time,
      },
    ],
  })

/**
 * One batch of the applier: the logged events not applied yet, oldest first. Statuses go to
 * the store in one batch; other changes go, in order, to their field's handler. A handler that
 * throws is logged and its event marked applied, so that one bad event cannot stop the log.
 */
export const applyWebhookEvents = async (payload: Payload): Promise<number> => {
  const options = getPluginOptions(payload)
  const store = getStore(payload)
  const events = await store.pendingEvents(options.webhookApplier.batchSize)
  if (events.length === 0) {
    return 0
  }
  const statuses = events.flatMap((e) => asStatusEvent(e) ?? [])
  const replies = events.flatMap((e) => asReplyEvent(e) ?? [])
  const storeIds = new Set([...statuses, ...replies].map((s) => s.id))
  const others = events.filter((e) => !storeIds.has(e.id))
  // Other changes read the accounts' fields (display number, WABA), which another process may
  // have edited: a batch with any reloads the table (at most once a second).
  const { accounts } = await (others.length > 0 ? reloadWebhookAccounts : webhookAccounts)(
    payload,
    options,
  )
  // Before the statuses are settled, so that a settled log means every effect has landed.
  await applyStatusSignals(payload, options, failedStatuses(events), accounts)
  await store.applyStatusEvents(statuses)
  // Before the messages' handler, so that onInboundMessage sees the recipient replied.
  if (replies.length > 0) {
    await store.applyReplies(replies)
  }

  for (const event of others) {
    const change = event.payload as ParsedChange | undefined
    const handler = change?.field ? changeHandlers[change.field] : undefined
    if (!change || !handler) {
      continue
    }
    try {
      await handler.apply({ accounts, options, payload }, parsedChange(change))
    } catch (error) {
      payload.logger.error(
        { err: error, eventId: event.id },
        `whatsapp webhook: applying a "${change.field}" event failed`,
      )
    }
  }
  await store.markEventsApplied(others.map((e) => e.id))
  return events.length
}
