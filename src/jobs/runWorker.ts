import type { Payload } from 'payload'

import { getPluginOptions } from '../pluginContext.js'
import { getQueue, stopCampaignQueue } from './index.js'

/**
 * Keeps this process working campaign jobs until SIGINT/SIGTERM, then stops taking jobs and
 * lets running sends finish recording before exiting.
 */
export const runWorker = async (payload: Payload): Promise<void> => {
  const options = getPluginOptions(payload)
  if (options.queue === false) {
    throw new Error('whatsapp-campaigns: runWorker needs the queue; the plugin has queue: false')
  }
  if (!options.queue.worker) {
    throw new Error(
      'whatsapp-campaigns: this process is not a worker (queue.worker is false or WHATSAPP_CAMPAIGNS_WORKER=false)',
    )
  }
  await getQueue(payload)
  payload.logger.info('whatsapp-campaigns worker running')
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  await stopCampaignQueue(payload)
  await payload.destroy()
}
