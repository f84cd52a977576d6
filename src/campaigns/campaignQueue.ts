import type { Payload } from 'payload'

import type { CampaignQueue } from '../jobs/index.js'
import type { RunEnd } from '../sending/executeCampaign.js'

import { getQueue } from '../jobs/index.js'
import { runWorker as runQueueWorker } from '../jobs/runWorker.js'
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
  }
}

/** Sends a running campaign until it ends, then moves it to completed, paused or failed. */
export const runPipeline = (
  payload: Payload,
  campaignId: string,
  touch?: () => Promise<void>,
): Promise<void> =>
  executeCampaign(payload, campaignId, { end: endRun(payload, campaignId), touch })

/**
 * A job's work: a due schedule starts (only once, whoever gets there first); a campaign a
 * restriction paused resumes when nothing holds it any more; then it sends.
 */
export const startCampaign = async (
  payload: Payload,
  campaignId: string,
  touch?: () => Promise<void>,
): Promise<void> => {
  const status = await getStore(payload).campaignStatus(campaignId)
  if (status === 'scheduled') {
    await moveCampaign(payload, campaignId, 'start', { error: null, startedAt: new Date() })
  } else if (status === 'paused') {
    if (!(await resumeAfterHold(payload, await campaignQueue(payload), campaignId))) {
      return
    }
  }
  await runPipeline(payload, campaignId, touch)
}

/** This instance's campaign queue, whose jobs run startCampaign. */
export const campaignQueue = (payload: Payload): Promise<CampaignQueue> =>
  getQueue(payload, startCampaign)

/** The package's runWorker: works this instance's campaign jobs until SIGINT/SIGTERM. */
export const runWorker = (payload: Payload): Promise<void> => runQueueWorker(payload, startCampaign)
