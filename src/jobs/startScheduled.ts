import type { Payload } from 'payload'

import { getPluginOptions } from '../pluginContext.js'
import { executeCampaign } from '../sending/executeCampaign.js'
import { getStore } from '../store/index.js'

/** A schedule came due: scheduled -> running (only once, whoever gets there first), then send. */
export const startCampaign = async (
  payload: Payload,
  campaignId: string,
  touch?: () => Promise<void>,
): Promise<void> => {
  const store = getStore(payload)
  const status = await store.campaignStatus(campaignId)
  if (status === 'scheduled') {
    await store.transition(campaignId, ['scheduled'], {
      error: null,
      startedAt: new Date(),
      status: 'running',
    })
  }
  await executeCampaign(payload, campaignId, { touch })
}

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
