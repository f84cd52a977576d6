import type { Payload } from 'payload'

import type { CampaignRunner } from './types.js'

import { getPluginOptions } from '../pluginContext.js'
import { getQueue, stopCampaignQueue } from './index.js'

/**
 * Keeps this process working campaign jobs until SIGINT/SIGTERM, then stops taking jobs, lets
 * sends in flight finish and be recorded, gives back the recipients not sent (their campaign
 * stays running, its job unlocked for another worker), and exits.
 */
export const runWorker = async (payload: Payload, run: CampaignRunner): Promise<void> => {
  const options = getPluginOptions(payload)
  if (options.queue === false) {
    throw new Error('whatsapp-campaigns: runWorker needs the queue; the plugin has queue: false')
  }
  if (!options.queue.worker) {
    throw new Error(
      'whatsapp-campaigns: this process is not a worker (queue.worker is false or WHATSAPP_CAMPAIGNS_WORKER=false)',
    )
  }
  await getQueue(payload, run)
  payload.logger.info('whatsapp-campaigns worker running')
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await stopCampaignQueue(payload)
  // Payload's Postgres adapter keeps a connection open after destroy (and its destroy may wait
  // on it), which would keep this process alive after the signal: it exits once destroyed or
  // after a few seconds.
  await Promise.race([payload.destroy(), new Promise((resolve) => setTimeout(resolve, 5000))])
  process.exit(0)
}
