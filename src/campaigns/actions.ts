import type { Payload } from 'payload'

import type { CampaignStatus } from '../collections/campaignStatuses.js'
import type { CampaignPatch } from '../store/index.js'
import type { CampaignAction } from './transitions.js'

import { getPluginOptions } from '../pluginContext.js'
import { type CampaignDoc, loadCampaignContext } from '../sending/campaignContext.js'
import { getStore } from '../store/index.js'
import { campaignQueue, runPipeline } from './campaignQueue.js'
import { campaignHold, signalCleared } from './guardrails.js'
import { moveCampaign } from './moveCampaign.js'
import { preflightProblems } from './preflight.js'
import { canTransition, fromStatuses, transitions } from './transitions.js'

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

const refusal = async (payload: Payload, id: string, action: CampaignAction) => {
  const status = await getStore(payload).campaignStatus(id)
  if (!status) {
    return new CampaignActionError(`Campaign ${id} not found.`, 404)
  }
  const verb = action === 'retry-unknown' ? 'retry' : action
  return new CampaignActionError(
    `Cannot ${verb} a campaign that is ${status}; only a ${fromStatuses(action).join(' or ')} campaign can be.`,
    409,
  )
}

/** Moves the campaign as the transition table says, or refuses with the reason. */
const applyTransition = async (
  payload: Payload,
  id: string,
  action: CampaignAction,
  patch: CampaignPatch = {},
): Promise<CampaignStatus> => {
  if (!(await moveCampaign(payload, id, action, patch))) {
    throw await refusal(payload, id, action)
  }
  return transitions[action].to
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

const refuseOnProblems = async (
  payload: Payload,
  context: Awaited<ReturnType<typeof loadCampaignContext>>,
) => {
  const problems = await preflightProblems(payload, context)
  if (problems.length > 0) {
    throw new CampaignActionError(problems.join(' '), 400)
  }
}

/**
 * Meta restricted or disabled the campaign's WhatsApp Business Account: sending now would be
 * refused (and count against it), so Run and Resume refuse unless forced. A RED quality
 * rating does not refuse: the editor resuming is the decision to send on.
 */
const refuseWhileHeld = async (payload: Payload, campaign: CampaignDoc) => {
  const hold = await campaignHold(payload, campaign.account)
  if (hold && hold.kind !== 'quality') {
    throw new CampaignActionError(
      `${hold.message} ${hold.until ? 'Paused campaigns resume on their own then. ' : ''}Send anyway with {"force": true}.`,
      409,
    )
  }
}

/** `force`: run or resume even while Meta restricts or disables the account. */
export type ForceOption = { force?: boolean }

/** Run now, or schedule when scheduledAt is in the future. */
export const runCampaign = async (
  payload: Payload,
  id: number | string,
  { force = false, wait = false }: { wait?: boolean } & ForceOption = {},
): Promise<ActionResult> => {
  const campaignId = String(id)
  await exists(payload, campaignId)
  const context = await loadCampaignContext(payload, campaignId)
  await refuseOnProblems(payload, context)
  if (!force) {
    await refuseWhileHeld(payload, context.campaign)
  }
  const queue = await campaignQueue(payload)
  const scheduledAt = context.campaign.scheduledAt ? new Date(context.campaign.scheduledAt) : null
  if (scheduledAt && scheduledAt.getTime() > Date.now()) {
    const status = await applyTransition(payload, campaignId, 'schedule')
    await queue.schedule(campaignId, scheduledAt)
    return { status }
  }
  const status = await applyTransition(payload, campaignId, 'run', {
    completedAt: null,
    error: null,
    startedAt: new Date(),
  })
  await queue.unschedule(campaignId)
  if (wait) {
    await runPipeline(payload, campaignId)
    return { status: (await getStore(payload).campaignStatus(campaignId)) ?? status }
  }
  await queue.enqueue(campaignId)
  return { status }
}

/** Pause and cancel: move the campaign, then drop any job scheduled for it. */
const stopCampaign = async (
  payload: Payload,
  id: number | string,
  action: 'cancel' | 'pause',
  patch?: CampaignPatch,
): Promise<ActionResult> => {
  const campaignId = String(id)
  await exists(payload, campaignId)
  const status = await applyTransition(payload, campaignId, action, patch)
  await (await campaignQueue(payload)).unschedule(campaignId)
  return { status }
}

export const pauseCampaign = (payload: Payload, id: number | string): Promise<ActionResult> =>
  stopCampaign(payload, id, 'pause', { pausedAt: new Date() })

export const resumeCampaign = async (
  payload: Payload,
  id: number | string,
  { force = false }: ForceOption = {},
): Promise<ActionResult> => {
  const campaignId = String(id)
  await exists(payload, campaignId)
  const context = await loadCampaignContext(payload, campaignId)
  // An account error paused it: check the fix before sending again.
  await refuseOnProblems(payload, context)
  if (!force) {
    await refuseWhileHeld(payload, context.campaign)
  }
  const status = await applyTransition(payload, campaignId, 'resume', {
    ...signalCleared,
    ...(context.campaign.startedAt ? {} : { startedAt: new Date() }),
  })
  const queue = await campaignQueue(payload)
  // A job waiting for a restriction's expiry has nothing left to do.
  await queue.unschedule(campaignId)
  await queue.enqueue(campaignId)
  return { status }
}

export const cancelCampaign = (payload: Payload, id: number | string): Promise<ActionResult> =>
  stopCampaign(payload, id, 'cancel')

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
  const action = unknown ? 'retry-unknown' : 'retry'
  const store = getStore(payload)
  const current = await store.campaignStatus(campaignId)
  if (!canTransition(action, current)) {
    throw await refusal(payload, campaignId, action)
  }
  const requeued = await store.requeue(campaignId, { failedRetryable: true, unknown })
  if (requeued === 0) {
    return { requeued, status: current as CampaignStatus }
  }
  const status = await applyTransition(payload, campaignId, action, {
    ...signalCleared,
    completedAt: null,
  })
  await (await campaignQueue(payload)).enqueue(campaignId)
  return { requeued, status }
}
