import type { Payload, Where } from 'payload'

import type { PauseScope } from '../sending/executeCampaign.js'

import { getPluginOptions } from '../pluginContext.js'
import { moveCampaign } from './moveCampaign.js'

/** Pauses every running campaign `where` selects, each with `error` shown; returns their ids. */
export const pauseRunningCampaigns = async (
  payload: Payload,
  where: Where,
  error: string,
): Promise<string[]> => {
  const { docs } = await payload.find({
    collection: getPluginOptions(payload).slugs.campaigns,
    depth: 0,
    pagination: false,
    select: {},
    where: { and: [{ status: { equals: 'running' } }, where] },
  })
  const paused: string[] = []
  for (const doc of docs) {
    if (await moveCampaign(payload, String(doc.id), 'pauseByGuardrail', guardrailPatch(error))) {
      paused.push(String(doc.id))
    }
  }
  return paused
}

const guardrailPatch = (error: string) => ({ error, pausedAt: new Date() })

/**
 * A run stopped by a guardrail: pauses its campaign, then the other running campaigns the same
 * signal concerns (its account's, or its template's), whose workers stop within a second.
 */
export const pauseByGuardrail = async (
  payload: Payload,
  campaignId: string,
  { error, scope }: { error: string; scope: PauseScope },
): Promise<void> => {
  await moveCampaign(payload, campaignId, 'pauseByGuardrail', guardrailPatch(error))
  if (scope === 'campaign') {
    return
  }
  const campaign = await payload.findByID({
    id: campaignId,
    collection: getPluginOptions(payload).slugs.campaigns,
    depth: 0,
    disableErrors: true,
    select: { account: true, template: true },
  })
  const related = campaign?.[scope]
  if (related !== undefined && related !== null) {
    await pauseRunningCampaigns(payload, { [scope]: { equals: related } }, error)
  }
}
