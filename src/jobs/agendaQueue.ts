import type { MongooseAdapter } from '@payloadcms/db-mongodb'
import type { Payload } from 'payload'

import { MongoBackend } from '@agendajs/mongo-backend'
import { Agenda } from 'agenda'

import type { QueueOptions } from '../options.js'
import type { CampaignQueue } from './types.js'

import { startCampaign } from './startScheduled.js'

export const campaignJobName = 'whatsapp-campaigns:send'
const jobsCollection = 'whatsapp_campaign_jobs'

type JobData = { campaignId: string }

/**
 * Agenda 6 on the site's own MongoDB connection. Every process can enqueue; processes with
 * `worker` true also run jobs. Agenda locks a job to one worker; the lock is renewed every
 * batch, and a dead worker's job is taken over once the lock expires.
 */
export const createAgendaQueue = async (
  payload: Payload,
  options: Required<QueueOptions>,
): Promise<CampaignQueue> => {
  const db = (payload.db as MongooseAdapter).connection.db
  if (!db) {
    throw new Error('whatsapp-campaigns: the MongoDB connection is not open')
  }
  const agenda = new Agenda({
    name: `whatsapp-campaigns-${process.pid}`,
    backend: new MongoBackend({ collection: jobsCollection, mongo: db }),
    defaultLockLifetime: options.lockLifetimeMs,
    processEvery: options.processEveryMs,
    removeOnComplete: true,
  })
  agenda.define<JobData>(
    campaignJobName,
    async (job) => {
      // A failed lock renewal must not abort a batch mid-send; the claims keep sending safe.
      await startCampaign(payload, job.attrs.data.campaignId, () =>
        job.touch().catch(() => undefined),
      )
    },
    { concurrency: options.concurrency, lockLifetime: options.lockLifetimeMs },
  )
  if (options.worker) {
    await agenda.start()
  } else {
    await agenda.ready
  }

  return {
    enqueue: async (campaignId) => {
      await agenda.now<JobData>(campaignJobName, { campaignId })
    },
    schedule: async (campaignId, at) => {
      await agenda.cancel({ name: campaignJobName, data: { campaignId } })
      await agenda.schedule<JobData>(at, campaignJobName, { campaignId })
    },
    stop: async () => {
      await agenda.stop()
    },
    unschedule: async (campaignId) => {
      await agenda.cancel({ name: campaignJobName, data: { campaignId } })
    },
  }
}
