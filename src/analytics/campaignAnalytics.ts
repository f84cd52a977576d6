import type { Payload } from 'payload'

import type { ActualCost, CostEstimate } from '../audience/costEstimate.js'
import type { CampaignDates } from '../collections/campaignStatuses.js'
import type { FailureGroup, TimelinePoint } from '../store/index.js'

import { actualCost } from '../audience/costEstimate.js'
import { getPluginOptions } from '../pluginContext.js'
import { getStore } from '../store/index.js'

export type CampaignAnalytics = {
  /**
   * What the messages Meta marked billable (status webhooks' pricing) cost by the rate card,
   * per calling code and Meta's pricing category; null without a card.
   */
  actualCost: ActualCost | null
  /** Replied recipients per quick-reply button (its payload, or its text), most tapped first; a recipient counts under their first answer. */
  buttons: Array<{ button: string; count: number }>
  /** Meta changed (or will change) the template's category since the campaign was made. */
  categoryChanged: null | string
  /** The rate card's estimate for the recipients to send, from when the audience was materialized; null before, or without a card. */
  costEstimate: CostEstimate | null
  counts: {
    delivered: number
    failed: number
    pending: number
    read: number
    replied: number
    sent: number
    total: number
    unknown: number
  }
  /** Seconds until the pending recipients are sent at the current pace, while running. */
  etaSeconds: null | number
  failures: FailureGroup[]
  /** Sends per second over the last 10 seconds. */
  messagesPerSecond: number
  /** Shares of sent (delivered, read, replied) or of total (failed). */
  rates: { delivered: number; failed: number; read: number; replied: number }
  /** When a campaign a restriction paused resumes on its own; ISO date. */
  resumeAt: null | string
  /** When a scheduled (or to be scheduled) campaign starts; ISO date. */
  scheduledAt: null | string
  status: string
  /** What the status does not say, for API readers: "waiting for messaging limit — resumes at 14:05 UTC". */
  statusDetail: null | string
  timeline: TimelinePoint[]
  /**
   * While the portfolio's messaging limit holds the running campaign: when it goes on (ISO
   * date); the admin shows "waiting for messaging limit — resumes at HH:MM".
   */
  waitingUntil: null | string
} & CampaignDates

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : 0)

const isoDate = (value: unknown): null | string =>
  value instanceof Date ? value.toISOString() : typeof value === 'string' ? value : null

const waitingUntil = (campaign: Record<string, unknown>, now: Date) => {
  const until = isoDate(campaign.waitingUntil)
  return campaign.status === 'running' && until && new Date(until) > now ? until : null
}

/** The campaign's live figures: counters from the campaign, pace and breakdowns from recipients. */
export const campaignAnalytics = async (
  payload: Payload,
  campaignId: string,
): Promise<CampaignAnalytics> => {
  const options = getPluginOptions(payload)
  const store = getStore(payload)
  const campaign = await payload.findByID({
    id: campaignId,
    collection: options.slugs.campaigns,
    depth: 0,
  })
  const windowMs = 10_000
  const [byStatus, recent, failures, timeline, buttons, billable] = await Promise.all([
    store.countByStatus(campaignId),
    store.sentSince(campaignId, new Date(Date.now() - windowMs)),
    store.failuresByCode(campaignId, 20),
    store.timeline(campaignId),
    store.replyButtons(campaignId),
    options.rateCard ? store.billableGroups([campaignId]) : undefined,
  ])
  const counts = {
    delivered: Number(campaign.deliveredCount ?? 0),
    failed: Number(campaign.failedCount ?? 0),
    pending: byStatus.pending + byStatus.sending,
    read: Number(campaign.readCount ?? 0),
    replied: Number(campaign.repliedCount ?? 0),
    sent: Number(campaign.sentCount ?? 0),
    total: Number(campaign.totalCount ?? 0),
    unknown: Number(campaign.unknownCount ?? 0),
  }
  const messagesPerSecond = recent / (windowMs / 1000)
  const waiting = waitingUntil(campaign, options.clock())
  return {
    actualCost: options.rateCard && billable ? actualCost(options.rateCard, billable) : null,
    buttons,
    categoryChanged: typeof campaign.categoryChanged === 'string' ? campaign.categoryChanged : null,
    completedAt: isoDate(campaign.completedAt),
    costEstimate:
      campaign.costEstimate && typeof campaign.costEstimate === 'object'
        ? (campaign.costEstimate as CostEstimate)
        : null,
    counts,
    etaSeconds:
      campaign.status === 'running' && messagesPerSecond > 0
        ? Math.ceil(counts.pending / messagesPerSecond)
        : null,
    failures,
    messagesPerSecond,
    pausedAt: isoDate(campaign.pausedAt),
    rates: {
      delivered: rate(counts.delivered, counts.sent),
      failed: rate(counts.failed, counts.total),
      read: rate(counts.read, counts.sent),
      replied: rate(counts.replied, counts.sent),
    },
    resumeAt: isoDate(campaign.resumeAt),
    scheduledAt: typeof campaign.scheduledAt === 'string' ? campaign.scheduledAt : null,
    startedAt: isoDate(campaign.startedAt),
    status: String(campaign.status),
    statusDetail: waiting
      ? `waiting for messaging limit — resumes at ${waiting.slice(11, 16)} UTC (${waiting.slice(0, 10)})`
      : null,
    timeline,
    waitingUntil: waiting,
  }
}
