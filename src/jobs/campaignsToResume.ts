import type { Payload } from 'payload'

import { getPluginOptions } from '../pluginContext.js'

/**
 * Campaigns left running or scheduled, or paused with a time to resume (a restriction's
 * expiry), after a restart with no queue: picked up again at start.
 */
export const campaignsToResume = async (payload: Payload) => {
  const options = getPluginOptions(payload)
  const { docs } = await payload.find({
    collection: options.slugs.campaigns,
    depth: 0,
    pagination: false,
    select: { resumeAt: true, scheduledAt: true, status: true },
    where: {
      or: [
        { status: { in: ['running', 'scheduled'] } },
        { and: [{ status: { equals: 'paused' } }, { resumeAt: { exists: true } }] },
      ],
    },
  })
  return docs.map((doc) => ({
    id: String(doc.id),
    resumeAt: typeof doc.resumeAt === 'string' ? new Date(doc.resumeAt) : undefined,
    scheduledAt: typeof doc.scheduledAt === 'string' ? new Date(doc.scheduledAt) : undefined,
    status: String(doc.status),
  }))
}
