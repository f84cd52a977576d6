import type { Payload } from 'payload'

import type { ResolvedOptions } from '../options.js'
import type { WebhookAccount } from './accounts.js'
import type { EntryMeta } from './webhookValues.js'

import { campaignQueue } from '../campaigns/campaignQueue.js'
import { pauseCampaignsBySignal } from '../campaigns/guardrails.js'
import { updateIfNewer } from './updateIfNewer.js'
import { object, text } from './webhookValues.js'

export const qualityRatings = ['GREEN', 'YELLOW', 'RED', 'UNKNOWN'] as const
export type QualityRating = (typeof qualityRatings)[number]

/** A number's quality or messaging limit changed (field "phone_number_quality_update"). */
export type ParsedQualityUpdate = {
  /** The number as Meta displays it: the only thing naming the number in this webhook. */
  displayPhoneNumber?: string
  /** FLAGGED, UNFLAGGED, DOWNGRADE, UPGRADE, ONBOARDING, THROUGHPUT_UPGRADE, ... */
  event: string
  /** The rating Meta reported, or the one its event implies (FLAGGED is RED). */
  qualityRating?: QualityRating
  raw: Record<string, unknown>
  /** The messaging limit Meta reported (TIER_250, TIER_2K, ..., TIER_UNLIMITED), as written. */
  reportedMessagingLimit?: string
  timestamp: Date
  wabaId: string
}

const ratingWords: Record<string, QualityRating> = {
  GREEN: 'GREEN',
  HIGH: 'GREEN',
  LOW: 'RED',
  MEDIUM: 'YELLOW',
  RED: 'RED',
  UNKNOWN: 'UNKNOWN',
  YELLOW: 'YELLOW',
}

/** Newer bodies carry the rating itself: `quality_score` ("RED" or `{ score: "RED" }`) or `quality_rating`. */
const reportedRating = (value: Record<string, unknown>): QualityRating | undefined => {
  const score =
    text(value.quality_score) ??
    text(object(value.quality_score)?.score) ??
    text(value.quality_rating)
  return score ? ratingWords[score.toUpperCase()] : undefined
}

/**
 * Reads one change. Older bodies say `current_limit` (and `old_limit`), newer ones
 * `max_daily_conversations_per_business` (the portfolio's limit) and may carry the rating.
 * Without a rating, FLAGGED means RED and UNFLAGGED means "no longer RED" (UNKNOWN until Meta
 * says more); other events leave the rating as it was.
 */
export const parseQualityUpdate = (
  value: Record<string, unknown>,
  { time, wabaId }: EntryMeta,
): ParsedQualityUpdate => {
  const event = String(text(value.event) ?? '').toUpperCase()
  const implied: Partial<Record<string, QualityRating>> = { FLAGGED: 'RED', UNFLAGGED: 'UNKNOWN' }
  return {
    displayPhoneNumber: text(value.display_phone_number),
    event,
    qualityRating: reportedRating(value) ?? implied[event],
    raw: value,
    reportedMessagingLimit:
      text(value.max_daily_conversations_per_business) ??
      text(value.max_daily_conversation_per_phone) ??
      text(value.current_limit),
    timestamp: time,
    wabaId,
  }
}

/** Whether the update says to stop sending from the number: a RED rating or a downgrade. */
export const isQualityDrop = (update: ParsedQualityUpdate): boolean =>
  update.qualityRating === 'RED' || update.event === 'DOWNGRADE'

const digits = (value: null | string | undefined) => (value ?? '').replace(/\D/g, '')

/**
 * The number an update is about: the WABA's account with that display number, or the WABA's
 * only account when none has its display number filled in.
 */
export const numberOf = (
  accounts: WebhookAccount[],
  update: Pick<ParsedQualityUpdate, 'displayPhoneNumber' | 'wabaId'>,
): undefined | WebhookAccount => {
  const inWaba = accounts.filter((a) => a.wabaId === update.wabaId)
  const wanted = digits(update.displayPhoneNumber)
  const matched = inWaba.find((a) => wanted !== '' && digits(a.displayPhoneNumber) === wanted)
  if (matched) {
    return matched
  }
  return inWaba.length === 1 && !inWaba[0].displayPhoneNumber ? inWaba[0] : undefined
}

/**
 * Stores the number's rating, event and reported limit (unless a newer update was applied
 * already: webhooks come reordered), then pauses the number's running and scheduled campaigns
 * on a RED rating or a downgrade, unless `pauseOnQualityDrop` is off.
 */
export const applyQualityUpdates = async (
  payload: Payload,
  options: ResolvedOptions,
  updates: ParsedQualityUpdate[],
  accounts: WebhookAccount[],
) => {
  for (const update of updates) {
    const account = numberOf(accounts, update)
    if (!account) {
      payload.logger.warn(
        `whatsapp webhook: quality update for ${update.displayPhoneNumber ?? 'an unknown number'} of WABA ${update.wabaId} matches no account (set its display phone number)`,
      )
      continue
    }
    const applied = await updateIfNewer(payload, {
      id: account.id,
      clock: 'qualityUpdatedAt',
      collection: options.slugs.accounts,
      data: {
        qualityEvent: update.event || null,
        ...(update.qualityRating ? { qualityRating: update.qualityRating } : {}),
        ...(update.reportedMessagingLimit
          ? { reportedMessagingLimit: update.reportedMessagingLimit }
          : {}),
      },
      time: update.timestamp,
    })
    if (!applied || !isQualityDrop(update) || !options.pauseOnQualityDrop) {
      continue
    }
    const what =
      update.event === 'DOWNGRADE'
        ? `lowered the messaging limit of ${account.name ?? account.phoneNumberId}${update.reportedMessagingLimit ? ` to ${update.reportedMessagingLimit}` : ''}`
        : `rated the quality of ${account.name ?? account.phoneNumberId} RED`
    await pauseCampaignsBySignal(payload, await campaignQueue(payload), {
      error: `Paused: Meta ${what} (${update.event || 'quality update'}, ${update.timestamp.toISOString()}). Sending more now risks the number; check its quality in WhatsApp Manager, then Resume.`,
      pausedBy: 'quality',
      where: { account: { equals: account.id } },
    })
  }
}
