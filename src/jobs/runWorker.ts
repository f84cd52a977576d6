import type { Payload } from 'payload'

import type { CampaignRunner } from './types.js'

import { getPluginOptions } from '../pluginContext.js'
import { getQueue, stopCampaignQueue } from './index.js'

/**
 * Keeps this process working campaign jobs until SIGINT/SIGTERM, then stops taking jobs and
 * lets running sends finish recording before exiting.
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
  await payload.destroy()
}
