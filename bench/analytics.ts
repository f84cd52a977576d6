import { ObjectId } from 'mongodb'

import type { BenchApp } from './boot.js'

import { globalAnalytics } from '../src/analytics/globalAnalytics.js'
import { column, onPostgres, postgresTable } from './rawTables.js'

type SeededCampaign = { completedAt: Date; name: string }

/** What every seeded campaign's counters say. */
const counters = (recipients: number) => ({
  deliveredCount: recipients * 0.95,
  failedCount: recipients * 0.02,
  readCount: recipients * 0.7,
  sentCount: recipients * 0.98,
  totalCount: recipients,
  unknownCount: 0,
})

type Counters = ReturnType<typeof counters>

const insertMongoCampaigns = async (app: BenchApp, seeded: SeededCampaign[], counts: Counters) => {
  await app.payload.db.connection.collection('whatsapp-campaigns').insertMany(
    seeded.map(({ name, completedAt }) => ({
      name,
      account: new ObjectId(String(app.accountId)),
      audienceType: 'contacts',
      completedAt,
      createdAt: completedAt,
      ...counts,
      startedAt: completedAt,
      status: 'completed',
      template: new ObjectId(String(app.templateId)),
      updatedAt: completedAt,
    })),
  )
}

/** One INSERT: names and dates as arrays, the same counters on every row. */
const insertPostgresCampaigns = async (
  app: BenchApp,
  seeded: SeededCampaign[],
  counts: Counters,
) => {
  const { pool, table } = postgresTable(app.payload, 'whatsapp-campaigns')
  const counterColumns = Object.keys(counts).map(column)
  await pool.query(
    `INSERT INTO ${table} (name, account_id, template_id, audience_type, status, completed_at,
       created_at, started_at, updated_at, ${counterColumns.join(', ')})
     SELECT name, $3, $4, 'contacts', 'completed', at, at, at, at,
       ${counterColumns.map((_, i) => `$${i + 5}`).join(', ')}
     FROM unnest($1::varchar[], $2::timestamptz[]) AS seeded (name, at)`,
    [
      seeded.map((c) => c.name),
      seeded.map((c) => c.completedAt),
      app.accountId,
      app.templateId,
      ...Object.values(counts),
    ],
  )
}

/**
 * 100 completed campaigns, one a day back from now, whose counters say 100k recipients each,
 * inserted through the driver (the global view reads counters, never recipients), then the
 * view's data computed 5 times.
 */
export const benchAnalytics = async (app: BenchApp, campaigns = 100, recipients = 100_000) => {
  const day = 24 * 3600 * 1000
  const seeded = Array.from({ length: campaigns }, (_, i) => ({
    name: `analytics ${i}`,
    completedAt: new Date(Date.now() - i * day),
  }))
  const insert = onPostgres(app.payload) ? insertPostgresCampaigns : insertMongoCampaigns
  await insert(app, seeded, counters(recipients))
  const timings: number[] = []
  for (let run = 0; run < 5; run++) {
    const started = performance.now()
    const data = await globalAnalytics(app.payload, { period: 'day' })
    timings.push(performance.now() - started)
    if (data.totals.sent < campaigns * recipients * 0.98) {
      throw new Error('The global analytics did not count every campaign.')
    }
  }
  timings.sort((a, b) => a - b)
  return { campaigns, medianMs: timings[2], recipients }
}
