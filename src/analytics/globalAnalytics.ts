import type { Payload } from 'payload'

import { actualCost } from '../audience/costEstimate.js'
import { getPluginOptions } from '../pluginContext.js'
import { getStore } from '../store/index.js'

export type CampaignRow = {
  completedAt: null | string
  /** Actual cost by the rate card (billable messages); null without a card. */
  cost: null | number
  delivered: number
  failed: number
  id: string
  name: string
  read: number
  replied: number
  sent: number
  total: number
}

export type PeriodRow = {
  /** Actual cost of the period's campaigns (by completion); null without a rate card. */
  cost: null | number
  delivered: number
  failed: number
  period: string
  read: number
  replied: number
  sent: number
}

export type GlobalAnalytics = {
  campaigns: CampaignRow[]
  /** The rate card's currency; null without a card (costs are then null). */
  currency: null | string
  periods: PeriodRow[]
  rates: { delivered: number; failed: number; read: number; replied: number }
  totals: {
    campaigns: number
    cost: null | number
    delivered: number
    failed: number
    read: number
    replied: number
    sent: number
    total: number
  }
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : 0)

// Money sums are rounded to a millionth, like the rate card's figures.
const round = (n: number) => Math.round(n * 1e6) / 1e6

/**
 * The spec's /whatsapp/analytics: sent, delivered, read, replied and failed summed over
 * completed campaigns, from the campaigns' counters; with a rate card, their actual cost from
 * one grouped query over their billable recipients.
 */
export const globalAnalytics = async (
  payload: Payload,
  { period = 'day' }: { period?: 'day' | 'month' } = {},
): Promise<GlobalAnalytics> => {
  const options = getPluginOptions(payload)
  const { docs } = await payload.find({
    collection: options.slugs.campaigns,
    depth: 0,
    pagination: false,
    select: {
      name: true,
      completedAt: true,
      deliveredCount: true,
      failedCount: true,
      readCount: true,
      repliedCount: true,
      sentCount: true,
      totalCount: true,
    },
    sort: '-completedAt',
    where: { status: { equals: 'completed' } },
  })
  const card = options.rateCard
  const costs = new Map<string, number>()
  if (card && docs.length > 0) {
    const groups = await getStore(payload).billableGroups(docs.map((doc) => String(doc.id)))
    for (const doc of docs) {
      const id = String(doc.id)
      costs.set(
        id,
        actualCost(
          card,
          groups.filter((g) => g.campaignId === id),
        ).total,
      )
    }
  }
  const campaigns: CampaignRow[] = docs.map((doc) => ({
    id: String(doc.id),
    name: typeof doc.name === 'string' ? doc.name : '',
    completedAt: typeof doc.completedAt === 'string' ? doc.completedAt : null,
    cost: card ? (costs.get(String(doc.id)) ?? 0) : null,
    delivered: Number(doc.deliveredCount ?? 0),
    failed: Number(doc.failedCount ?? 0),
    read: Number(doc.readCount ?? 0),
    replied: Number(doc.repliedCount ?? 0),
    sent: Number(doc.sentCount ?? 0),
    total: Number(doc.totalCount ?? 0),
  }))
  const totals = {
    campaigns: campaigns.length,
    cost: card ? 0 : null,
    delivered: 0,
    failed: 0,
    read: 0,
    replied: 0,
    sent: 0,
    total: 0,
  }
  const addCost = (sum: null | number, cost: null | number) =>
    sum === null || cost === null ? null : round(sum + cost)
  const periods = new Map<string, PeriodRow>()
  for (const row of campaigns) {
    totals.delivered += row.delivered
    totals.failed += row.failed
    totals.read += row.read
    totals.replied += row.replied
    totals.cost = addCost(totals.cost, row.cost)
    totals.sent += row.sent
    totals.total += row.total
    const key = (row.completedAt ?? '').slice(0, period === 'day' ? 10 : 7) || 'unknown'
    const bucket = periods.get(key) ?? {
      cost: card ? 0 : null,
      delivered: 0,
      failed: 0,
      period: key,
      read: 0,
      replied: 0,
      sent: 0,
    }
    bucket.cost = addCost(bucket.cost, row.cost)
    bucket.replied += row.replied
    bucket.delivered += row.delivered
    bucket.failed += row.failed
    bucket.read += row.read
    bucket.sent += row.sent
    periods.set(key, bucket)
  }
  return {
    campaigns,
    currency: card?.currency ?? null,
    periods: [...periods.values()].sort((a, b) => a.period.localeCompare(b.period)),
    rates: {
      delivered: rate(totals.delivered, totals.sent),
      failed: rate(totals.failed, totals.total),
      read: rate(totals.read, totals.sent),
      replied: rate(totals.replied, totals.sent),
    },
    totals,
  }
}
