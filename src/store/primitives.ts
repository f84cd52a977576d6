import type {
  CampaignCounterField,
  CampaignStatus,
  RecipientStatus,
} from '../collections/campaignStatuses.js'
import type { RecipientFields, ReplyFields, StatusChange } from './recipientChanges.js'
import type {
  BillableGroup,
  CampaignPatch,
  ClaimedRecipient,
  CounterDelta,
  FailureGroup,
  Id,
  LimitUsage,
  NewRecipient,
  PendingEvent,
  Pricing,
  WebhookEventRecord,
} from './types.js'

export type CampaignFields = CampaignPatch & Partial<Record<CampaignCounterField, number>>

/** A status move a batch made, as MongoDB remembers it on the recipient (by the batch's op). */
export type StatusMove = { from: RecipientStatus; op: string; to: RecipientStatus }

/** A recipient as the applier reads it by message id. */
export type RecipientState = {
  campaignId: Id
  id: Id
  messageId: string
  /** Recent batch moves (MongoDB only; Postgres batches are atomic and need no memory of them). */
  moves: StatusMove[]
  status: RecipientStatus
}

/** One recipient's move in a batch: from the status read, to the furthest its events reach. */
export type PlannedMove = {
  change: StatusChange
  from: RecipientStatus
  id: Id
  to: RecipientStatus
}

export type TimestampField = 'deliveredAt' | 'readAt' | 'sentAt'

/**
 * The writes a unit of work is made of. Each stamps what it moves with `op`, so that a unit
 * run again after a lost answer can tell what its first run moved.
 */
export interface UnitPrimitives {
  /** Adds each campaign's delta once per `op` (MongoDB remembers the applier's recent ops). */
  addBatchCounters(
    deltas: Array<{ campaignId: Id; delta: CounterDelta }>,
    op: string,
  ): Promise<void>
  /** Adds to the campaign's counters, once per `op` (MongoDB remembers recent ops; Postgres units are atomic). */
  addCounters(campaignId: Id, delta: CounterDelta, op: string): Promise<void>
  /** How many recipients (of `ids`, when given) carry `op` as their last outcome write. */
  countStamped(op: string, ids?: Id[]): Promise<number>
  /**
   * Writes a first reply on the recipient with this message id if it has none yet, stamping
   * `op` with its status writes (statusStamped finds it); returns its campaign.
   */
  markReplied(messageId: string, fields: ReplyFields, op: string): Promise<Id | undefined>
  /** Moves the campaign's 'sending' recipients claimed before `claimedBefore` to 'unknown'; returns how many moved. */
  markUnknown(
    campaignId: Id,
    claimedBefore: Date,
    errorMessage: string,
    op: string,
  ): Promise<number>
  /** Writes each recipient's fields if it is still 'sending' (a release also gives its attempt back); returns how many moved. */
  moveOutcomes(
    moves: Array<{ fields: RecipientFields; id: Id }>,
    op: string,
    release: boolean,
  ): Promise<number>
  /**
   * Moves each recipient whose status is still its move's `from` (compare-and-set), stamped
   * with `op`; returns the moves `op` made, those of an earlier try of the same op included.
   */
  moveStatuses(
    moves: PlannedMove[],
    op: string,
  ): Promise<Array<{ campaignId: Id; from: RecipientStatus; id: Id; to: RecipientStatus }>>
  /** Marks events applied, and status events whose message id is unknown as waiting for their send. */
  settleEvents(applied: Id[], waiting: Id[]): Promise<void>
  /** Stamps the batch's events with its op, so that a batch cut short can be finished. */
  stampEvents(ids: Id[], op: string): Promise<void>
  /** The campaign of the recipient with this message id whose recent status writes include `op`. */
  statusStamped(messageId: string, op: string): Promise<Id | undefined>
  /** Takes these message ids' unapplied events out of waiting: their send is recorded now. */
  wakeWaiting(messageIds: string[]): Promise<void>
}

/**
 * One database's share of the store: small reads and writes, each safe to run again after a
 * lost answer in the way its comment says. The rules (retries, what a lost answer means, which
 * counters move) live once in campaignStore.ts.
 */
export interface StorePrimitives extends UnitPrimitives {
  /** True when a unit commits all or nothing, so a unit whose stamp is found needs no rerun. */
  readonly atomicUnits: boolean
  /** CampaignStatsStore.billableGroups (for at most a few hundred campaigns). */
  billableGroups(campaignIds: Id[]): Promise<BillableGroup[]>
  campaignStatus(campaignId: Id): Promise<CampaignStatus | undefined>
  /** Claims up to `limit` pending recipients under `token` (atomic per recipient); returns them. */
  claim(campaignId: Id, limit: number, token: string): Promise<ClaimedRecipient[]>
  /** The recipients a claim under `token` holds. */
  claimedBy(token: string): Promise<ClaimedRecipient[]>
  /** Events neither applied nor waiting for their send. */
  countPending(): Promise<number>
  /** SendingStore.countRecentSends for at most a few thousand phones, as rows. */
  countRecentSends(args: {
    category: string
    exceptCampaign: Id
    phones: string[]
    since: Date
  }): Promise<Array<{ n: number; phone: string }>>
  /** Recipients with a reply (repliedAt set). */
  countReplied(campaignId: Id): Promise<number>
  /** How many recipients were sent: a message id present and non-empty. */
  countSent(campaignId: Id): Promise<number>
  countStatuses(campaignId: Id): Promise<Array<{ n: number; status: RecipientStatus }>>
  deleteRecipients(campaignId: Id): Promise<void>
  /** Creates the portfolio's slots 0..count-1 (free) that do not exist yet; idempotent. */
  ensureLimitSlots(portfolio: string, count: number): Promise<void>
  /** Failed recipients by error code, largest groups first (ties by code), each with its smallest message. */
  failureGroups(campaignId: Id, limit: number): Promise<FailureGroup[]>
  /** Inserts events with ids from `newIds`; a rerun inserts none twice. */
  insertEvents(
    events: Array<{ id: Id } & WebhookEventRecord>,
    now: Date,
    rerun: boolean,
  ): Promise<void>
  /** Inserts recipients with ids from `newIds`; a rerun inserts none twice (nor a phone twice per campaign). */
  insertRecipients(
    campaignId: Id,
    rows: Array<{ id: Id } & NewRecipient>,
    now: Date,
    rerun: boolean,
  ): Promise<void>
  /** Recent slots (taken after `since`) among slots below `count`: how many, and the oldest. */
  limitUsage(portfolio: string, count: number, since: Date): Promise<LimitUsage>
  /** Replaces the recipient's reply by `fields` when theirs is earlier (idempotent). */
  lowerReply(messageId: string, fields: ReplyFields): Promise<void>
  markEventsApplied(ids: Id[]): Promise<void>
  /** Recipients per minute (UTC, "YYYY-MM-DDTHH:MM") of a timestamp. */
  minuteCounts(campaignId: Id, field: TimestampField): Promise<Array<{ at: string; n: number }>>
  /** Fresh ids for rows to insert, chosen before the insert so that a rerun reuses them. */
  newIds(into: 'events' | 'recipients', count: number): Promise<Id[]>
  /** Up to `limit` events neither applied nor waiting, oldest first. */
  pendingEvents(limit: number): Promise<PendingEvent[]>
  pruneEvents(before: Date): Promise<number>
  /** The recipients with these message ids. */
  recipientsByMessageId(messageIds: string[]): Promise<RecipientState[]>
  recipientStatus(messageId: string): Promise<RecipientStatus | undefined>
  /**
   * Moves the portfolio's slots holding one of `phones` and taken after `since` to `now`,
   * stamped with `op`, each atomically (a slot reused meanwhile is left alone); returns the
   * phones whose slot carries `op`.
   */
  refreshLimitSlots(
    portfolio: string,
    phones: string[],
    since: Date,
    now: Date,
    op: string,
  ): Promise<string[]>
  /** LeaseStore.releaseLease. */
  releaseLease(name: string, holder: string): Promise<void>
  /** Frees the portfolio's slots holding one of `phones` whose last taker is still `op`. */
  releaseLimitSlots(portfolio: string, phones: string[], op: string): Promise<void>
  /** Recipients with a reply button, grouped by it, most first (ties by button). */
  replyButtons(campaignId: Id): Promise<Array<{ button: string; count: number }>>
  /**
   * Moves failed-retryable recipients whose retryNotBefore is unset or at most `now`, and/or
   * unknown ones, back to pending (clearing their failure), stamped with `op`; returns how many moved.
   */
  requeue(
    campaignId: Id,
    which: { failedRetryable?: boolean; unknown?: boolean },
    now: Date,
    op: string,
  ): Promise<number>
  /** SendingStore.reserveSlots; a reservation whose answer is lost only leaves a gap. */
  reserveSlots(key: string, count: number, intervalMs: number): Promise<number>
  sentSince(campaignId: Id, since: Date): Promise<number>
  /** Sets the campaign's fields, only if its status is one of `from` when given; false when nothing matched. */
  setCampaign(campaignId: Id, fields: CampaignFields, from?: CampaignStatus[]): Promise<boolean>
  /**
   * Writes each message's pricing on its recipient unless the recipient holds pricing of a
   * later status (pricingAt); idempotent, so any order of batches ends with the latest.
   */
  setPricing(rows: Array<{ at: Date; messageId: string } & Pricing>): Promise<void>
  /** LeaseStore.takeLease, on the database's clock where it has one. */
  takeLease(name: string, holder: string, ms: number): Promise<boolean>
  /**
   * Gives each of `phones` not yet stamped with `op` a free slot below `count` (never taken, or
   * taken at or before `since`), each by compare-and-set so a slot goes to one caller only;
   * returns every phone whose slot carries `op` (refreshed or taken), so a rerun takes none twice.
   */
  takeLimitSlots(
    portfolio: string,
    phones: string[],
    count: number,
    since: Date,
    now: Date,
    op: string,
  ): Promise<string[]>
  /** Runs `work` as one unit: on Postgres one transaction, on MongoDB step by step. */
  unit<T>(work: (tx: UnitPrimitives) => Promise<T>): Promise<T>
}
