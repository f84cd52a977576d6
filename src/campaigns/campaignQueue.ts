import type { Payload } from 'payload'

import type { CampaignQueue } from '../jobs/index.js'
import type { WorkerService } from '../jobs/runWorker.js'
import type { RunEnd } from '../sending/executeCampaign.js'

import { getQueue } from '../jobs/index.js'
import { runWorker as runQueueWorker } from '../jobs/runWorker.js'
import { getPluginOptions } from '../pluginContext.js'
import { executeCampaign } from '../sending/executeCampaign.js'
import { getStore } from '../store/index.js'
import { pauseByGuardrail, resumeAfterHold } from './guardrails.js'
import { moveCampaign } from './moveCampaign.js'

/** The pipeline's end of a run, as the transition table moves the campaign. */
const endRun = (payload: Payload, campaignId: string) => async (end: RunEnd) => {
  switch (end.kind) {
    case 'completed':
      await moveCampaign(payload, campaignId, 'complete', { completedAt: new Date() })
      return
    case 'failed':
      await moveCampaign(payload, campaignId, 'fail', { error: end.error })
      return
    case 'paused':
      await pauseByGuardrail(payload, await campaignQueue(payload), campaignId, end)
      return
    case 'waiting': {
      // Not a status change: the campaign stays running, its job rescheduled for when the
      // window frees room, unless it was paused or cancelled meanwhile.
      const stillRunning = await getStore(payload).transition(campaignId, ['running'], {
        status: 'running',
        waitingUntil: end.resumeAt,
      })
      if (stillRunning) {
        // resumeAt is on the engine's clock; the queue waits the same time on the real one.
        const waitMs = end.resumeAt.getTime() - getPluginOptions(payload).clock().getTime()
        await (
          await campaignQueue(payload)
        ).schedule(campaignId, new Date(Date.now() + Math.max(0, waitMs)))
      }
    }
  }
}

/** Sends a running campaign until it ends, then moves it to completed, paused or failed. */
export const runPipeline = async (
  payload: Payload,
  campaignId: string,
  touch?: () => Promise<void>,
  stopping?: AbortSignal,
): Promise<void> => {
  // A wait for the messaging limit ends when a run starts; a full window sets it again.
  await getStore(payload).updateCampaign(campaignId, { waitingUntil: null })
  await executeCampaign(payload, campaignId, {
    end: endRun(payload, campaignId),
    stopping,
    touch,
  })
}

/**
 * A job's work: a due schedule starts (only once, whoever gets there first); a campaign a
 * restriction paused resumes when nothing holds it any more; then it sends.
 */
export const startCampaign = async (
  payload: Payload,
  campaignId: string,
  touch?: () => Promise<void>,
  stopping?: AbortSignal,
): Promise<void> => {
  const status = await getStore(payload).campaignStatus(campaignId)
  if (status === 'scheduled') {
    await moveCampaign(payload, campaignId, 'start', { error: null, startedAt: new Date() })
  } else if (status === 'paused') {
    if (!(await resumeAfterHold(payload, await campaignQueue(payload), campaignId))) {
      return
    }
  }
  await runPipeline(payload, campaignId, touch, stopping)
}

/**
 * Runs now the running campaigns waiting for their portfolio's messaging limit (all, or those
 * of these accounts): after the tier was raised, or (tests) the clock moved. Returns their ids.
 */
export const wakeWaitingCampaigns = async (
  payload: Payload,
  { accounts }: { accounts?: Array<number | string> } = {},
): Promise<string[]> => {
  const { docs } = await payload.find({
    collection: getPluginOptions(payload).slugs.campaigns,
    depth: 0,
    pagination: false,
    select: {},
    where: {
      and: [
        { status: { equals: 'running' } },
        { waitingUntil: { exists: true } },
        { waitingUntil: { not_equals: null } },
        ...(accounts ? [{ account: { in: accounts } }] : []),
      ],
    },
  })
  const queue = await campaignQueue(payload)
  for (const doc of docs) {
    // In place of the job scheduled for the window's end.
    await queue.schedule(String(doc.id), new Date())
  }
  return docs.map((doc) => String(doc.id))
}

/** This instance's campaign queue, whose jobs run startCampaign. */
export const campaignQueue = (payload: Payload): Promise<CampaignQueue> =>
  getQueue(payload, startCampaign)

/** The package's runWorker: this instance's campaign jobs (and `serve`) until SIGINT/SIGTERM. */
export const runWorker = (payload: Payload, serve?: () => Promise<WorkerService>): Promise<void> =>
  runQueueWorker(payload, startCampaign, serve)
