import type { Payload } from 'payload'

import type { CampaignQueue, CampaignRunner } from './types.js'

import { isNextHelperProcess } from '../nextHelperProcess.js'
import { getPluginOptions } from '../pluginContext.js'
import { createAgendaQueue } from './agendaQueue.js'
import { createInlineQueue } from './inlineQueue.js'
import { forgetSignalStop, stopOnSignal } from './stopOnSignal.js'
import { stopWebhookApplier } from './webhookApplier.js'

const queues = new WeakMap<Payload, Promise<CampaignQueue>>()

const createQueue = async (payload: Payload, run: CampaignRunner): Promise<CampaignQueue> => {
  const options = getPluginOptions(payload)
  if (options.queue === false) {
    const queue = createInlineQueue(payload, run)
    await queue.resume()
    return queue
  }
  return createAgendaQueue(payload, options.queue, run)
}

/**
 * This Payload instance's campaign queue, started on first use (or at init), its jobs running
 * `run`. Every caller passes the same runner (campaigns/campaignQueue.ts).
 */
export const getQueue = (payload: Payload, run: CampaignRunner): Promise<CampaignQueue> => {
  let queue = queues.get(payload)
  if (!queue) {
    queue = createQueue(payload, run)
    queues.set(payload, queue)
  }
  return queue
}

/**
 * Stops this instance's queue and webhook applier (tests, graceful shutdown); running campaigns
 * release their claims.
 */
export const stopCampaignQueue = async (payload: Payload): Promise<void> => {
  forgetSignalStop(payload)
  await stopWebhookApplier(payload)
  const queue = queues.get(payload)
  queues.delete(payload)
  await (await queue)?.stop()
}

/**
 * SIGINT/SIGTERM stops this instance's queue and applier gracefully (jobs/stopOnSignal.ts), in
 * every process but Next.js's short-lived helpers, which start no work of their own.
 */
export const stopCampaignQueueOnSignal = (payload: Payload): void => {
  if (!isNextHelperProcess()) {
    stopOnSignal(payload, () => stopCampaignQueue(payload))
  }
}

export type { CampaignQueue, CampaignRunner } from './types.js'
export { startWebhookApplier, wakeWebhookApplier, type WebhookDrain } from './webhookApplier.js'
