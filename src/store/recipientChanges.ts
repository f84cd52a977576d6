import type { CampaignCounterField } from '../collections/campaignStatuses.js'
import type { Pricing, ReplyEvent, SendOutcome, StatusEvent } from './types.js'

/** Recipient fields the engine writes when an outcome or a status event moves a recipient. */
export type RecipientFields = {
  deliveredAt?: Date
  errorCode?: null | number
  errorMessage?: string
  failedAt?: Date
  messageId?: string
  readAt?: Date
  retryable?: boolean
  /** Retry failed resends it only from then (Meta's per-user marketing limit, 131049). */
  retryNotBefore?: Date
  sentAt?: Date
  status: 'delivered' | 'failed' | 'pending' | 'read' | 'sent' | 'unknown'
}

/** Meta's `pricing` object of a logged status (its raw JSON), read once for both databases. */
export const pricingOf = (raw: unknown): Pricing | undefined => {
  const pricing = (raw as { pricing?: unknown } | null | undefined)?.pricing
  if (!pricing || typeof pricing !== 'object') {
    return undefined
  }
  const { billable, category } = pricing as Record<string, unknown>
  return {
    billable: billable === true,
    category: typeof category === 'string' && category ? category.toUpperCase() : null,
  }
}

/** The latest pricing of each message among status events (later timestamps win). */
export const latestPricing = (events: StatusEvent[]) => {
  const latest = new Map<string, { at: Date } & Pricing>()
  for (const event of events) {
    const seen = latest.get(event.messageId)
    if (event.pricing && (!seen || seen.at <= event.timestamp)) {
      latest.set(event.messageId, { ...event.pricing, at: event.timestamp })
    }
  }
  return [...latest].map(([messageId, pricing]) => ({ messageId, ...pricing }))
}

/** What a reply writes on its recipient. */
export type ReplyFields = { repliedAt: Date; replyButton: null | string; replyText: null | string }

export const replyFields = (reply: ReplyEvent): ReplyFields => ({
  repliedAt: reply.timestamp,
  replyButton: reply.button ?? null,
  replyText: reply.text ?? null,
})

/** What a status event writes: `fields`, and deliveredAt lowered to at most `deliveredAtMost`. */
export type StatusChange = { deliveredAtMost?: Date; fields: RecipientFields }

export const metaFailedMessage = 'Meta reported the message as failed'

export const unknownOutcomeMessage =
  'Outcome unknown: the worker stopped while this message was being sent. It was not sent again; use "Retry unknown" to send it.'

const dayMs = 24 * 60 * 60 * 1000

/**
 * Meta's per-user marketing limit (131049) lifts with time: such a failure may be sent again
 * after a day, and after 3, then 7 days when it was already retried.
 */
export const marketingLimitRetry = (
  code: null | number | undefined,
  attempts: number,
  at: Date,
): Pick<RecipientFields, 'retryable' | 'retryNotBefore'> =>
  code === 131049
    ? {
        retryable: true,
        retryNotBefore: new Date(
          at.getTime() + (attempts <= 1 ? 1 : attempts === 2 ? 3 : 7) * dayMs,
        ),
      }
    : {}

export const statusChange = (event: StatusEvent): StatusChange => {
  const at = event.timestamp
  switch (event.status) {
    case 'delivered':
      return { fields: { deliveredAt: at, status: 'delivered' } }
    case 'failed':
      return {
        fields: {
          errorCode: event.errorCode ?? null,
          errorMessage: event.errorMessage ?? metaFailedMessage,
          failedAt: at,
          status: 'failed',
          ...marketingLimitRetry(event.errorCode, 1, at),
        },
      }
    case 'read':
      // A read that overtakes its delivered still means the message was delivered.
      return { deliveredAtMost: at, fields: { readAt: at, status: 'read' } }
    case 'sent':
      return { fields: { status: 'sent' } }
  }
}

/** What recording a send outcome writes on its (claimed) recipient. */
export const outcomeFields = (outcome: SendOutcome, now: Date): RecipientFields => {
  switch (outcome.kind) {
    case 'failed':
      return {
        errorCode: outcome.errorCode ?? null,
        errorMessage: outcome.errorMessage,
        failedAt: now,
        retryable: outcome.retryable,
        status: 'failed',
        ...marketingLimitRetry(outcome.errorCode, outcome.attempts ?? 1, now),
      }
    case 'released':
      return { status: 'pending' }
    case 'sent':
      return { messageId: outcome.messageId, sentAt: outcome.sentAt, status: 'sent' }
    case 'unknown':
      return { errorMessage: outcome.errorMessage, status: 'unknown' }
  }
}

/** The counter each kind of outcome adds to; a released recipient was never counted. */
export const outcomeCounter: Record<SendOutcome['kind'], CampaignCounterField | undefined> = {
  failed: 'failedCount',
  released: undefined,
  sent: 'sentCount',
  unknown: 'unknownCount',
}

/** Outcomes by kind, in a fixed order, leaving out kinds with none. */
export const outcomesByKind = (outcomes: SendOutcome[]) => {
  const kinds: Array<SendOutcome['kind']> = ['sent', 'failed', 'unknown', 'released']
  return kinds
    .map((kind) => ({ kind, outcomes: outcomes.filter((o) => o.kind === kind) }))
    .filter((group) => group.outcomes.length > 0)
}
