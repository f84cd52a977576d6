import type { Payload } from 'payload'

import type { CampaignRunner } from './types.js'

import { getPluginOptions } from '../pluginContext.js'
import { atMost } from './atMost.js'
import { getQueue, stopCampaignQueue } from './index.js'
import { forgetSignalStop } from './stopOnSignal.js'

/** What a worker process serves beside its jobs (the webhook receiver), closed when it stops. */
export type WorkerService = { close: () => Promise<void>; url: string }

/**
 * Keeps this process working campaign jobs, and serving `serve`'s webhooks when given, until
 * SIGINT/SIGTERM. Then it stops taking webhooks and answers those in progress, stops taking
 * jobs, lets sends in flight finish and be recorded, gives back the recipients not sent (their
 * campaign stays running, its job unlocked for another worker) and the webhook applier's lease,
 * and exits. A process that is not a worker only serves the webhooks.
 */
export const runWorker = async (
  payload: Payload,
  run: CampaignRunner,
  serve?: () => Promise<WorkerService>,
): Promise<void> => {
  const options = getPluginOptions(payload)
  if (!serve && options.queue === false) {
    throw new Error('whatsapp-campaigns: runWorker needs the queue; the plugin has queue: false')
  }
  const works = options.queue !== false && options.queue.worker
  if (!serve && !works) {
    throw new Error(
      'whatsapp-campaigns: this process is not a worker (queue.worker is false or WHATSAPP_CAMPAIGNS_WORKER=false)',
    )
  }
  const service = await serve?.()
  if (service) {
    payload.logger.info(`whatsapp-campaigns webhooks received at ${service.url}`)
  }
  if (works) {
    await getQueue(payload, run)
    payload.logger.info('whatsapp-campaigns worker running')
  }
  // Its own stop, in its own order, replaces the one every process gets at init.
  forgetSignalStop(payload)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
  // First, while the database is there to log them. A request whose body never ends is not
  // waited for past 10 s: unanswered, Meta posts it again.
  if (service) {
    await atMost(10_000, service.close())
  }
  await stopCampaignQueue(payload)
  payload.logger.info('whatsapp-campaigns worker stopped')
  // Payload's Postgres adapter keeps a connection open after destroy (and its destroy may wait
  // on it), which would keep this process alive after the signal: it exits once destroyed or
  // after a few seconds.
  await atMost(5000, payload.destroy())
  process.exit(0)
}
