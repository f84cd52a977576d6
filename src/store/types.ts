import type {
  CampaignCounterField,
  CampaignStatus,
  RecipientStatus,
} from '../collections/campaignStatuses.js'

export type Id = string

export type NewRecipient = {
  errorCode?: number
  errorMessage?: string
  name?: string
  parameters?: Record<string, string>
  phoneNumber: string
  /** 'pending' to send; 'failed' for rows refused before sending (invalid phone, missing value). */
  status: 'failed' | 'pending'
  /** The template's category when the audience was materialized (MARKETING, UTILITY, ...). */
  templateCategory?: string
}

export type ClaimedRecipient = {
  attempts: number
  id: Id
  name?: string
  parameters: Record<string, string>
  phoneNumber: string
}

/** What one send attempt came to; applied to a claimed ('sending') recipient. */
export type SendOutcome =
  | {
      /** Sends of this recipient so far, this one included (sets how long 131049 waits). */
      attempts?: number
      errorCode?: number
      errorMessage: string
      id: Id
      kind: 'failed'
      retryable: boolean
    }
  | { errorMessage: string; id: Id; kind: 'unknown' }
  | { id: Id; kind: 'released' }
  | { id: Id; kind: 'sent'; messageId: string; sentAt: Date }

/**
 * What Meta's `pricing` object on a status says of the message: its conversation category
 * (upper case: MARKETING, UTILITY, AUTHENTICATION, SERVICE, ...) and whether it is billable.
 */
export type Pricing = { billable: boolean; category: null | string }

/** Billable recipients of a campaign with one pricing category and phone prefix. */
export type BillableGroup = {
  campaignId: Id
  category: null | string
  count: number
  prefix: string
}

/** A delivery status reported by Meta for one message. */
export type StatusEvent = {
  errorCode?: number
  errorMessage?: string
  messageId: string
  pricing?: Pricing
  status: 'delivered' | 'failed' | 'read' | 'sent'
  timestamp: Date
}

/**
 * An inbound message answering a campaign message (its `context.id`): the person's reply, or
 * their tap on a quick-reply button (the button's payload, or its text when it has none).
 */
export type ReplyEvent = {
  button?: string
  messageId: string
  text?: string
  timestamp: Date
}

/** A reply event of the log, as the applier applies it. */
export type PendingReplyEvent = { id: Id } & ReplyEvent

export type CounterDelta = Partial<Record<CampaignCounterField, number>>

export type CampaignPatch = {
  /** A note that Meta changed (or will change) the category of the campaign's template. */
  categoryChanged?: null | string
  completedAt?: Date | null
  /** What the rate card says the campaign's recipients cost (a JSON object). */
  costEstimate?: null | Record<string, unknown>
  error?: null | string
  materializedAt?: Date | null
  pausedAt?: Date | null
  /** Which signal paused it (campaigns/guardrails.ts PausedBy); null when a user did or none. */
  pausedBy?: null | string
  /** When a job resumes it (a restriction's expiry). */
  resumeAt?: Date | null
  startedAt?: Date | null
  status?: CampaignStatus
  /** Set while the portfolio's messaging limit holds the campaign: when it goes on. */
  waitingUntil?: Date | null
}

/** A webhook event as logged for debugging, replay, and status events that came early. */
export type WebhookEventRecord = {
  errorCode?: number
  errorMessage?: string
  /** 'reply': one per inbound message with a context.id, messageId being the message answered. */
  kind: 'message' | 'other' | 'reply' | 'status' | 'template'
  messageId?: string
  payload: unknown
  phoneNumberId?: string
  status?: string
  timestamp?: Date
}

/** A logged webhook event not applied yet (status events waiting for their send excluded). */
export type PendingEvent = {
  /** The batch that last took it (MongoDB: a batch cut short is finished by the next one). */
  applyOp?: string
  id: Id
} & WebhookEventRecord

/** A status event of the log, as the applier folds it. */
export type PendingStatusEvent = { applyOp?: string; id: Id } & StatusEvent

/** What a batch of status events did: events settled, recipients moved, events left waiting. */
export type StatusBatchResult = { applied: number; moved: number; waiting: number }
/** A portfolio's messaging limit: at most `limit` unique recipients in any `windowMs`, read at `now`. */
export type MessagingLimit = { limit: number; now: Date; windowMs: number }

/**
 * Which phones may be messaged now; when some may not, the time the window frees room again.
 * `fresh` are the allowed phones this reservation newly counted (the others were counted
 * already), which releaseRecipients can give back; `token` names the reservation.
 */
export type Reservation = {
  allowed: string[]
  fresh: string[]
  resumeAt: Date | null
  token: string
}

/** How much of a portfolio's window is taken, and when its oldest recipient leaves it. */
export type LimitUsage = { oldest: Date | null; used: number }

export type TimelinePoint = { at: string; delivered: number; read: number; sent: number }

export type FailureGroup = { count: number; errorCode: null | number; errorMessage: string }

/**
 * The few bulk and atomic operations the hot path needs (listmonk's Store), split by who uses
 * them; everything else goes through Payload's Local API. Every method is safe to call from
 * several processes, and retried while the database is unreachable.
 */
export interface SendingStore {
  /** The campaign's current status, read fresh (one small query). */
  campaignStatus(campaignId: Id): Promise<CampaignStatus | undefined>
  /** Atomically moves up to `limit` pending recipients to 'sending' under a fresh claim. */
  claimBatch(campaignId: Id, limit: number): Promise<ClaimedRecipient[]>
  /**
   * Per phone (E.164 digits), messages of a template category sent at or after `since`, or
   * waiting to be sent (pending, sending, outcome unknown) in campaigns materialized since then,
   * in every campaign but `exceptCampaign`. Phones with none are absent.
   */
  countRecentSends(args: {
    category: string
    exceptCampaign: Id
    phones: string[]
    since: Date
  }): Promise<Map<string, number>>
  /** Removes every recipient of the campaign (before re-materializing an unsent audience). */
  deleteRecipients(campaignId: Id): Promise<void>
  insertRecipients(campaignId: Id, recipients: NewRecipient[]): Promise<void>
  /** Marks 'sending' recipients claimed before `claimedBefore` as 'unknown': their send may or may not have reached Meta. */
  markStaleClaimsUnknown(campaignId: Id, claimedBefore: Date): Promise<number>
  /** Records a batch of send outcomes in bulk, moves counters, and applies status events that arrived before them. */
  recordOutcomes(campaignId: Id, outcomes: SendOutcome[]): Promise<void>
  /**
   * Gives back the room a reservation newly took for these phones, when they were not sent after
   * all (paused, refused first); a phone counted again by someone since keeps its room.
   */
  releaseRecipients(portfolio: string, reservation: Reservation, phones: string[]): Promise<void>
  /**
   * Puts failed recipients whose error is retryable (and whose not-before time, if any, has
   * passed by `now`, default the current time), and/or unknown ones, back to pending, then recounts.
   */
  requeue(
    campaignId: Id,
    which: { failedRetryable?: boolean; now?: Date; unknown?: boolean },
  ): Promise<number>
  /**
   * Takes room for these phones (E.164 digits) in the portfolio's messaging limit, shared by
   * every number, campaign and process of the portfolio: a phone messaged within the window is
   * counted once (and again from now), a new one only while fewer than `limit` are counted.
   * Never lets more than `limit` phones count at once; a race lost to another worker may count
   * a phone twice (less room, never more).
   */
  reserveRecipients(
    portfolio: string,
    phones: string[],
    limit: MessagingLimit,
  ): Promise<Reservation>
  /**
   * Reserves `count` consecutive send slots, `intervalMs` apart, on a shared schedule for `key`
   * (a phone number), across every process using this database. Returns the first slot's time (ms).
   */
  reserveSlots(key: string, count: number, intervalMs: number): Promise<number>
  /** Atomic compare-and-set of a campaign's status; false when its status was not one of `from`. */
  transition(
    campaignId: Id,
    from: CampaignStatus[],
    patch: { status: CampaignStatus } & CampaignPatch,
  ): Promise<boolean>
  updateCampaign(campaignId: Id, patch: CampaignPatch): Promise<void>
}

export interface EventLogStore {
  /**
   * Marks each reply's recipient replied, counted once (repliedCount): the earliest reply
   * wins its time, text and button whatever the order they arrive in. A reply whose message id
   * is not recorded yet waits, like an early status, and is applied when the send result lands.
   */
  applyReplies(events: PendingReplyEvent[]): Promise<{ applied: number; waiting: number }>
  /**
   * Applies status events in one batch: one read of their recipients, each recipient moved once
   * to the furthest status its events reach (forward only), one counter update per campaign,
   * and the events marked applied; events whose message id is not recorded yet wait for it.
   * Safe to cut short anywhere and run again: the next batch applies the rest once.
   */
  applyStatusEvents(events: PendingStatusEvent[]): Promise<StatusBatchResult>
  /** How many logged events wait for the applier (not counting statuses waiting for their send). */
  backlog(): Promise<number>
  /** Logs webhook events in one insert (applied: false); returns their ids in order. */
  logEvents(events: WebhookEventRecord[]): Promise<Id[]>
  markEventsApplied(ids: Id[]): Promise<void>
  /** Up to `limit` events not applied yet, oldest first (statuses waiting for their send left out). */
  pendingEvents(limit: number): Promise<PendingEvent[]>
  /** Deletes events received before `before` that need nothing more (applied, or not status events). */
  pruneEvents(before: Date): Promise<number>
}

export interface LeaseStore {
  /** Gives the lease `name` up if `holder` holds it: another takes it at its next try. */
  releaseLease(name: string, holder: string): Promise<void>
  /**
   * Takes or renews the lease `name` for `holder` for `ms`: true when `holder` holds it now
   * (it was free, expired, or already its own).
   */
  takeLease(name: string, holder: string, ms: number): Promise<boolean>
}

export interface CampaignStatsStore {
  /**
   * Billable messages (as the status webhooks' pricing says) of these campaigns, by campaign,
   * pricing category and phone prefix (its first three digits, which hold the calling code).
   */
  billableGroups(campaignIds: Id[]): Promise<BillableGroup[]>
  countByStatus(campaignId: Id): Promise<Record<RecipientStatus, number>>
  /** Failed recipients grouped by Meta's error code, largest groups first, each with its smallest message. */
  failuresByCode(campaignId: Id, limit: number): Promise<FailureGroup[]>
  /** How much of the portfolio's messaging limit its moving window holds now. */
  limitUsage(portfolio: string, limit: MessagingLimit): Promise<LimitUsage>
  /** The recipient a campaign message went to, by its message id. */
  recipientByMessageId(messageId: string): Promise<{ campaignId: Id; id: Id } | undefined>
  /** Recomputes every counter from the recipients (repair and tests). */
  recount(campaignId: Id): Promise<void>
  /** Replied recipients per quick-reply button (payload or text), most tapped first. */
  replyButtons(campaignId: Id): Promise<Array<{ button: string; count: number }>>
  /** How many recipients were sent at or after `since` (for messages/second). */
  sentSince(campaignId: Id, since: Date): Promise<number>
  /** Sent, delivered and read per minute (UTC, "YYYY-MM-DDTHH:MM"). */
  timeline(campaignId: Id): Promise<TimelinePoint[]>
}

export type CampaignStore = CampaignStatsStore & EventLogStore & LeaseStore & SendingStore
