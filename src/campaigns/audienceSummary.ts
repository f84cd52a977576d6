import type { Payload } from 'payload'

import type { CostEstimate } from '../audience/costEstimate.js'
import type { AccountDoc } from '../sending/campaignContext.js'

import { estimateCost, tallyCallingCode } from '../audience/costEstimate.js'
import { normalizePhone } from '../audience/normalizePhone.js'
import { readPath } from '../audience/readPath.js'
import { audienceEntry } from '../audience/registry.js'
import { getPluginOptions } from '../pluginContext.js'
import { audienceQuery, loadCampaignContext } from '../sending/campaignContext.js'
import { findExcludedPhones } from '../sending/excludedPhones.js'
import { messagingLimitOf, portfolioOf } from '../sending/messagingLimit.js'
import { getStore } from '../store/index.js'
import { preflightProblems } from './preflight.js'

/** How long the audience takes: the number's send rate, and the portfolio's messaging limit. */
export type RunPace = {
  /** Days (moving 24-hour windows) the audience spreads over; 1 when all can go now. */
  days: number
  /** Unique recipients the tier allows in 24 hours; null when unlimited or no tier is set. */
  limit: null | number
  /** The number's send rate, shared by its campaigns. */
  messagesPerSecond: number
  /** The account's tier (TIER_250, ...); null when none is set, and no limit is applied. */
  messagingLimit: null | string
  /** How many of the audience can go now, within the window's room. */
  now: number
  /** When the rest can start, as room comes back (ISO date); null when all go now. */
  restFrom: null | string
  /** Seconds of sending for the whole audience at the number's rate, waits aside. */
  sendSeconds: number
}

export type AudienceSummary = {
  /** Rows in the audience as it stands now (before dedupe and phone checks). */
  audienceSize: null | number
  /**
   * The rate card's price for the audience's valid, distinct phones that may get this template
   * (opt-outs and suppressions left out; the frequency cap, applied at Run, may lower it).
   * Null without a rate card.
   */
  costEstimate: CostEstimate | null
  pace: null | RunPace
  problems: string[]
  templateName: null | string
}

/** The audience's pace under the account's rate and its portfolio's limit, as the window stands now. */
const runPace = async (
  payload: Payload,
  account: AccountDoc,
  audienceSize: number,
): Promise<RunPace> => {
  const now = getPluginOptions(payload).clock()
  const messagesPerSecond = account.messagesPerSecond ?? 80
  const base = {
    messagesPerSecond,
    messagingLimit: account.messagingLimit ?? null,
    sendSeconds: Math.ceil(audienceSize / messagesPerSecond),
  }
  const limit = messagingLimitOf(account, now)
  if (!limit) {
    return { ...base, days: 1, limit: null, now: audienceSize, restFrom: null }
  }
  const usage = await getStore(payload).limitUsage(portfolioOf(account), limit)
  const room = Math.max(0, limit.limit - usage.used)
  if (audienceSize <= room) {
    return { ...base, days: 1, limit: limit.limit, now: audienceSize, restFrom: null }
  }
  // Room comes back as the window's oldest recipients leave it (or, with none, a window on).
  const restFrom = new Date((usage.oldest ?? now).getTime() + limit.windowMs)
  return {
    ...base,
    days: (room > 0 ? 1 : 0) + Math.ceil((audienceSize - room) / limit.limit),
    limit: limit.limit,
    now: room,
    restFrom: restFrom.toISOString(),
  }
}

/**
 * What an editor confirms before Run: how many rows, which template, how long they take under
 * the number's rate and the portfolio's messaging limit, what it may cost, and what would stop it.
 */
export const audienceSummary = async (
  payload: Payload,
  campaignId: string,
): Promise<AudienceSummary> => {
  const context = await loadCampaignContext(payload, campaignId)
  const { account, options, template } = context
  const problems = await preflightProblems(payload, context)
  let audienceSize: null | number = null
  let costEstimate: CostEstimate | null = null
  if (problems.length === 0) {
    const entry = audienceEntry(options, context.campaign.audienceType)
    const card = options.rateCard
    // Only a rate card needs the phones: then each is normalized and kept once, as at Run.
    const excluded =
      card && account
        ? await findExcludedPhones(payload, options, {
            accountId: String(account.id),
            category: template?.category,
          })
        : undefined
    const seen = new Set<string>()
    const byCallingCode = new Map<string, number>()
    try {
      let n = 0
      for await (const row of entry.rows(audienceQuery(payload, context))) {
        n++
        if (!excluded) {
          continue
        }
        const phone = normalizePhone(readPath(row, entry.phoneField), options.defaultCountryCode)
        if (phone.ok && !seen.has(phone.phone) && !excluded.has(phone.phone)) {
          seen.add(phone.phone)
          tallyCallingCode(byCallingCode, phone.phone)
        }
      }
      audienceSize = n
      costEstimate = card ? estimateCost(card, template?.category, byCallingCode) : null
    } catch (error) {
      problems.push((error as Error).message)
    }
  }
  const pace =
    audienceSize !== null && account ? await runPace(payload, account, audienceSize) : null
  return {
    audienceSize,
    costEstimate,
    pace,
    problems,
    templateName: template?.name ?? null,
  }
}
