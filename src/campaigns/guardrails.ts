import type { Payload, Where } from 'payload'

import type { CampaignQueue } from '../jobs/index.js'
import type { PauseScope } from '../sending/executeCampaign.js'

import { relationId } from '../collections/relationId.js'
import { getPluginOptions } from '../pluginContext.js'
import { getStore } from '../store/index.js'
import { accountHolds, type AccountSignals, type Hold } from './holds.js'
import { moveCampaign } from './moveCampaign.js'

/**
 * What paused a campaign on its own: Meta refused its account, number (`error`) or template
 * (`template`: an error or a status webhook), the error-rate breaker (`breaker`), a RED rating
 * or downgrade of its number (`quality`), a restriction (`restriction`, resumed at its expiry)
 * or a ban (`ban`) of its WhatsApp Business Account.
 */
export type PausedBy = 'ban' | 'breaker' | 'error' | 'quality' | 'restriction' | 'template'

export type SignalPause = {
  error: string
  pausedBy: PausedBy
  /** When the signal lifts by itself: a job then resumes the campaigns it paused. */
  resumeAt?: Date
  /** The campaigns the signal concerns. */
  where: Where
}

/** Campaigns a stop holds: those sending, and those scheduled, which must not start into it. */
const holdable = ['running', 'scheduled']

/**
 * Pauses every running or scheduled campaign `where` selects, each with `error` shown. A
 * scheduled one loses its start; with `resumeAt`, each gets a job at that time that resumes
 * it if nothing else still holds it (see resumeAfterHold). Returns the ids paused.
 */
export const pauseCampaignsBySignal = async (
  payload: Payload,
  queue: CampaignQueue,
  { error, pausedBy, resumeAt, where }: SignalPause,
): Promise<string[]> => {
  const { docs } = await payload.find({
    collection: getPluginOptions(payload).slugs.campaigns,
    depth: 0,
    pagination: false,
    select: { status: true },
    where: { and: [{ status: { in: holdable } }, where] },
  })
  const paused: string[] = []
  for (const doc of docs) {
    const id = String(doc.id)
    const patch = { error, pausedAt: new Date(), pausedBy, resumeAt: resumeAt ?? null }
    if (!(await moveCampaign(payload, id, 'pauseByGuardrail', patch))) {
      continue
    }
    paused.push(id)
    if (resumeAt) {
      await queue.schedule(id, resumeAt)
    } else if (doc.status === 'scheduled') {
      await queue.unschedule(id)
    }
  }
  return paused
}

/**
 * A run stopped by a guardrail: pauses its campaign, then the other running and scheduled
 * campaigns the same signal concerns (its account's, or its template's), whose workers stop
 * within a second.
 */
export const pauseByGuardrail = async (
  payload: Payload,
  queue: CampaignQueue,
  campaignId: string,
  { error, scope }: { error: string; scope: PauseScope },
): Promise<void> => {
  const pausedBy: PausedBy =
    scope === 'campaign' ? 'breaker' : scope === 'template' ? 'template' : 'error'
  await moveCampaign(payload, campaignId, 'pauseByGuardrail', {
    error,
    pausedAt: new Date(),
    pausedBy,
    resumeAt: null,
  })
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
    await pauseCampaignsBySignal(payload, queue, {
      error,
      pausedBy,
      where: { [scope]: { equals: related } },
    })
  }
}

/** What holds the campaign's account now, if anything (the first: ban, restriction, quality). */
export const campaignHold = async (
  payload: Payload,
  account: unknown,
): Promise<Hold | undefined> => {
  const options = getPluginOptions(payload)
  const accountId = relationId(account)
  const signals = accountId
    ? await payload.findByID({
        id: accountId,
        collection: options.slugs.accounts,
        depth: 0,
        disableErrors: true,
      })
    : null
  return signals
    ? accountHolds(signals as AccountSignals, { pauseOnQualityDrop: options.pauseOnQualityDrop })[0]
    : undefined
}

const holdPatch = (hold: Hold) => ({
  error: `Paused: ${hold.message} ${hold.until ? 'Its campaigns resume on their own then; Resume with force sends before.' : 'Once it is fixed, Resume.'}`,
  pausedAt: new Date(),
  pausedBy: hold.kind,
  resumeAt: hold.until ?? null,
})

/** A campaign moving on from a pause forgets what paused it. */
export const signalCleared = { error: null, pausedAt: null, pausedBy: null, resumeAt: null }

/**
 * The job at a restriction's expiry (or its lifting): resumes a campaign the restriction
 * paused, unless its account is still held (a newer restriction, a ban, a RED rating), in
 * which case the campaign shows that hold and waits for it. A campaign paused before its
 * start goes back to scheduled while that start is ahead. Returns whether it is running now.
 */
export const resumeAfterHold = async (
  payload: Payload,
  queue: CampaignQueue,
  campaignId: string,
): Promise<boolean> => {
  const campaign = await payload.findByID({
    id: campaignId,
    collection: getPluginOptions(payload).slugs.campaigns,
    depth: 0,
    disableErrors: true,
    showHiddenFields: true,
  })
  if (!campaign || campaign.status !== 'paused' || campaign.pausedBy !== 'restriction') {
    return false
  }
  const hold = await campaignHold(payload, campaign.account)
  if (hold) {
    // Status unchanged: a compare-and-set, so a Resume meanwhile is not overwritten.
    const patch = holdPatch(hold)
    const kept = await getStore(payload).transition(campaignId, ['paused'], {
      ...patch,
      status: 'paused',
    })
    if (kept && hold.until) {
      await queue.schedule(campaignId, hold.until)
    }
    return false
  }
  const startAt = typeof campaign.scheduledAt === 'string' ? new Date(campaign.scheduledAt) : null
  if (!campaign.startedAt && startAt && startAt.getTime() > Date.now()) {
    if (await moveCampaign(payload, campaignId, 'rescheduleBySignal', signalCleared)) {
      await queue.schedule(campaignId, startAt)
    }
    return false
  }
  return moveCampaign(payload, campaignId, 'resumeBySignal', {
    ...signalCleared,
    ...(campaign.startedAt ? {} : { startedAt: new Date() }),
  })
}

/** Signals that lifted: each paused campaign `where` selects gets a job now to resume it. */
export const resumeHeldCampaigns = async (
  payload: Payload,
  queue: CampaignQueue,
  where: Where,
): Promise<void> => {
  const { docs } = await payload.find({
    collection: getPluginOptions(payload).slugs.campaigns,
    depth: 0,
    pagination: false,
    select: {},
    where: { and: [{ status: { equals: 'paused' } }, where] },
  })
  for (const doc of docs) {
    await queue.schedule(String(doc.id), new Date())
  }
}
