import type { Payload } from 'payload'

import type { CampaignStatus } from '../collections/campaignStatuses.js'

import { getQueue } from '../jobs/index.js'
import { getPluginOptions } from '../pluginContext.js'
import { getStore } from '../store/index.js'
import { loadCampaignContext } from './campaignContext.js'
import { executeCampaign } from './executeCampaign.js'
import { preflightProblems } from './preflight.js'

/** A refused campaign action, with the HTTP status the REST endpoints answer with. */
export class CampaignActionError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'CampaignActionError'
  }
}

export type ActionResult = { status: CampaignStatus }

const refuse = async (payload: Payload, id: string, action: string, allowed: CampaignStatus[]) => {
  const status = await getStore(payload).campaignStatus(id)
  if (!status) {
    throw new CampaignActionError(`Campaign ${id} not found.`, 404)
  }
  return new CampaignActionError(
    `Cannot ${action} a campaign that is ${status}; only a ${allowed.join(' or ')} campaign can be.`,
    409,
  )
}

const exists = async (payload: Payload, id: string) => {
  const options = getPluginOptions(payload)
  const found = await payload
    .findByID({ id, collection: options.slugs.campaigns, depth: 0, disableErrors: true })
    .catch(() => null)
  if (!found) {
    throw new CampaignActionError(`Campaign ${id} not found.`, 404)
  }
}

/**
 * Run now, or schedule when scheduledAt is in the future. The status moves by one atomic
 * compare-and-set, so of two clicks (or two servers) exactly one starts the run.
 */
export const runCampaign = async (
  payload: Payload,
  id: number | string,
  { wait = false }: { wait?: boolean } = {},
): Promise<ActionResult> => {
  const campaignId = String(id)
  await exists(payload, campaignId)
  const context = await loadCampaignContext(payload, campaignId)
  const problems = await preflightProblems(payload, context)
  if (problems.length > 0) {
    throw new CampaignActionError(problems.join(' '), 400)
  }
  const store = getStore(payload)
  const queue = await getQueue(payload)
  const scheduledAt = context.campaign.scheduledAt ? new Date(context.campaign.scheduledAt) : null
  if (scheduledAt && scheduledAt.getTime() > Date.now()) {
    if (!(await store.transition(campaignId, ['draft'], { status: 'scheduled' }))) {
      throw await refuse(payload, campaignId, 'schedule', ['draft'])
    }
    await queue.schedule(campaignId, scheduledAt)
    return { status: 'scheduled' }
  }
  const started = await store.transition(campaignId, ['draft', 'scheduled'], {
    completedAt: null,
    error: null,
    startedAt: new Date(),
    status: 'running',
  })
  if (!started) {
    throw await refuse(payload, campaignId, 'run', ['draft', 'scheduled'])
  }
  await queue.unschedule(campaignId)
  if (wait) {
    await executeCampaign(payload, campaignId)
    return { status: (await store.campaignStatus(campaignId)) ?? 'running' }
  }
  await queue.enqueue(campaignId)
  return { status: 'running' }
}

export const pauseCampaign = async (
  payload: Payload,
  id: number | string,
): Promise<ActionResult> => {
  const campaignId = String(id)
  await exists(payload, campaignId)
  const from: CampaignStatus[] = ['running', 'scheduled']
  if (
    !(await getStore(payload).transition(campaignId, from, {
      pausedAt: new Date(),
      status: 'paused',
    }))
  ) {
    throw await refuse(payload, campaignId, 'pause', from)
  }
  await (await getQueue(payload)).unschedule(campaignId)
  return { status: 'paused' }
}

export const resumeCampaign = async (
  payload: Payload,
  id: number | string,
): Promise<ActionResult> => {
  const campaignId = String(id)
  await exists(payload, campaignId)
  const context = await loadCampaignContext(payload, campaignId)
  // An account error paused it: check the fix before sending again.
  const problems = await preflightProblems(payload, context)
  if (problems.length > 0) {
    throw new CampaignActionError(problems.join(' '), 400)
  }
  const store = getStore(payload)
  const resumed = await store.transition(campaignId, ['paused'], {
    error: null,
    pausedAt: null,
    status: 'running',
    ...(context.campaign.startedAt ? {} : { startedAt: new Date() }),
  })
  if (!resumed) {
    throw await refuse(payload, campaignId, 'resume', ['paused'])
  }
  await (await getQueue(payload)).enqueue(campaignId)
  return { status: 'running' }
}

export const cancelCampaign = async (
  payload: Payload,
  id: number | string,
): Promise<ActionResult> => {
  const campaignId = String(id)
  await exists(payload, campaignId)
  const from: CampaignStatus[] = ['draft', 'scheduled', 'running', 'paused']
  if (!(await getStore(payload).transition(campaignId, from, { status: 'cancelled' }))) {
    throw await refuse(payload, campaignId, 'cancel', from)
  }
  await (await getQueue(payload)).unschedule(campaignId)
  return { status: 'cancelled' }
}

/**
 * Sends again to recipients that failed for a temporary reason (and, when asked, those whose
 * outcome is unknown: they may receive the message twice).
 */
export const retryCampaign = async (
  payload: Payload,
  id: number | string,
  { unknown = false }: { unknown?: boolean } = {},
): Promise<{ requeued: number } & ActionResult> => {
  const campaignId = String(id)
  await exists(payload, campaignId)
  const store = getStore(payload)
  const from: CampaignStatus[] = ['completed', 'paused', 'failed']
  const status = await store.campaignStatus(campaignId)
  if (!status || !from.includes(status)) {
    throw await refuse(payload, campaignId, 'retry', from)
  }
  const requeued = await store.requeue(campaignId, { failedRetryable: true, unknown })
  if (requeued === 0) {
    return { requeued, status }
  }
  if (
    !(await store.transition(campaignId, from, {
      completedAt: null,
      error: null,
      pausedAt: null,
      status: 'running',
    }))
  ) {
    throw await refuse(payload, campaignId, 'retry', from)
  }
  await (await getQueue(payload)).enqueue(campaignId)
  return { requeued, status: 'running' }
}
