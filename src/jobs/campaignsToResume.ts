import type { Payload } from 'payload'

import { getPluginOptions } from '../pluginContext.js'

/** Campaigns left running or scheduled (a restart, no queue): picked up again at start. */
export const campaignsToResume = async (payload: Payload) => {
  const options = getPluginOptions(payload)
  const { docs } = await payload.find({
    collection: options.slugs.campaigns,
    depth: 0,
    pagination: false,
    select: { scheduledAt: true, status: true },
    where: { status: { in: ['running', 'scheduled'] } },
  })
  return docs.map((doc) => ({
    id: String(doc.id),
    scheduledAt: typeof doc.scheduledAt === 'string' ? new Date(doc.scheduledAt) : undefined,
    status: String(doc.status),
  }))
}
