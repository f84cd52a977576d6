import type { Payload } from 'payload'

import { getPluginOptions } from '../pluginContext.js'

export type CampaignRow = {
  completedAt: null | string
  delivered: number
  failed: number
  id: string
  name: string
  read: number
  sent: number
  total: number
}

export type PeriodRow = {
  delivered: number
  failed: number
  period: string
  read: number
  sent: number
}

export type GlobalAnalytics = {
  campaigns: CampaignRow[]
  periods: PeriodRow[]
  rates: { delivered: number; failed: number; read: number }
  totals: {
    campaigns: number
    delivered: number
    failed: number
    read: number
    sent: number
    total: number
  }
}

const rate = (part: number, whole: number) => (whole > 0 ? part / whole : 0)

/**
 * The spec's /whatsapp/analytics: sent, delivered, read and failed summed over completed
 * campaigns. It reads only the campaigns' counters, never their recipients, so it stays fast
 * however large the campaigns are.
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
      sentCount: true,
      totalCount: true,
    },
    sort: '-completedAt',
    where: { status: { equals: 'completed' } },
  })
  const campaigns: CampaignRow[] = docs.map((doc) => ({
    id: String(doc.id),
    name: typeof doc.name === 'string' ? doc.name : '',
    completedAt: typeof doc.completedAt === 'string' ? doc.completedAt : null,
    delivered: Number(doc.deliveredCount ?? 0),
    failed: Number(doc.failedCount ?? 0),
    read: Number(doc.readCount ?? 0),
    sent: Number(doc.sentCount ?? 0),
    total: Number(doc.totalCount ?? 0),
  }))
  const totals = {
    campaigns: campaigns.length,
    delivered: 0,
    failed: 0,
    read: 0,
    sent: 0,
    total: 0,
  }
  const periods = new Map<string, PeriodRow>()
  for (const row of campaigns) {
    totals.delivered += row.delivered
    totals.failed += row.failed
    totals.read += row.read
    totals.sent += row.sent
    totals.total += row.total
    const key = (row.completedAt ?? '').slice(0, period === 'day' ? 10 : 7) || 'unknown'
    const bucket = periods.get(key) ?? { delivered: 0, failed: 0, period: key, read: 0, sent: 0 }
    bucket.delivered += row.delivered
    bucket.failed += row.failed
    bucket.read += row.read
    bucket.sent += row.sent
    periods.set(key, bucket)
  }
  return {
    campaigns,
    periods: [...periods.values()].sort((a, b) => a.period.localeCompare(b.period)),
    rates: {
      delivered: rate(totals.delivered, totals.sent),
      failed: rate(totals.failed, totals.total),
      read: rate(totals.read, totals.sent),
    },
    totals,
  }
}
