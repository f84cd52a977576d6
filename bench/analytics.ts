import { ObjectId } from 'mongodb'

import type { BenchApp } from './boot.js'

import { globalAnalytics } from '../src/analytics/globalAnalytics.js'

/**
 * 100 completed campaigns whose counters say 100k recipients each, inserted through the driver
 * (the global view reads counters, never recipients), then the view's data computed 5 times.
 */
export const benchAnalytics = async (app: BenchApp, campaigns = 100, recipients = 100_000) => {
  const collection = app.payload.db.connection.collection('whatsapp-campaigns')
  const day = 24 * 3600 * 1000
  await collection.insertMany(
    Array.from({ length: campaigns }, (_, i) => {
      const completedAt = new Date(Date.now() - i * day)
      return {
        name: `analytics ${i}`,
        account: new ObjectId(app.accountId),
        audienceType: 'contacts',
        completedAt,
        createdAt: completedAt,
        deliveredCount: recipients * 0.95,
        failedCount: recipients * 0.02,
        readCount: recipients * 0.7,
        sentCount: recipients * 0.98,
        startedAt: completedAt,
        status: 'completed',
        template: new ObjectId(app.templateId),
        totalCount: recipients,
        unknownCount: 0,
        updatedAt: completedAt,
      }
    }),
  )
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
