import type { MongooseAdapter } from '@payloadcms/db-mongodb'
import type { PostgresAdapter } from '@payloadcms/db-postgres'
import type { AgendaBackend, Job } from 'agenda'
import type { Payload } from 'payload'

import { MongoBackend } from '@agendajs/mongo-backend'
import { PostgresBackend } from '@agendajs/postgres-backend'
import { Agenda } from 'agenda'
import pg from 'pg'

import type { ResolvedOptions } from '../options.js'
import type { CampaignQueue, CampaignRunner } from './types.js'

import { engineSchema, ensureEngineSchema } from '../store/index.js'

export const campaignJobName = 'whatsapp-campaigns:send'
const jobsCollection = 'whatsapp_campaign_jobs'

type JobData = { campaignId: string }

type Storage = { backend: AgendaBackend; close: () => Promise<void> }

/** Agenda's storage on the site's own database: its MongoDB connection, or its Postgres server. */
const siteStorage = async (payload: Payload): Promise<Storage> => {
  if (payload.db.name === 'postgres') {
    const adapter = payload.db as unknown as PostgresAdapter
    await ensureEngineSchema(adapter.pool)
    // A pool of its own (LISTEN holds a connection) whose tables go in the plugin's schema,
    // where Payload's schema push leaves them alone.
    const pool = new pg.Pool({
      ...adapter.poolOptions,
      max: 3,
      options: `-c search_path=${engineSchema}`,
    })
    // A dropped idle connection must not end the process; Agenda reconnects on its next poll.
    pool.on('error', (error) =>
      payload.logger.warn({ err: error }, 'whatsapp-campaigns: a queue connection closed'),
    )
    const backend = new PostgresBackend({ channelName: jobsCollection, pool, tableName: 'jobs' })
    // Its LISTEN connection reconnects by itself after a drop, but reports the drop as an
    // 'error' event, which without a listener would end the process.
    backend.notificationChannel?.on('error', (error: Error) =>
      payload.logger.warn(
        { err: error },
        'whatsapp-campaigns: the queue lost its LISTEN connection',
      ),
    )
    return { backend, close: () => pool.end() }
  }
  const db = (payload.db as unknown as MongooseAdapter).connection.db
  if (!db) {
    throw new Error('whatsapp-campaigns: the MongoDB connection is not open')
  }
  return {
    backend: new MongoBackend({ collection: jobsCollection, mongo: db }),
    close: () => Promise.resolve(),
  }
}

/**
 * Agenda 6 on the site's own database (or the backend given). Every process can enqueue;
 * processes with `worker` true also run jobs. Agenda locks a job to one worker; the lock is
 * renewed every batch, and a dead worker's job is taken over once the lock expires. On
 * Postgres, LISTEN/NOTIFY wakes workers as soon as a job is enqueued.
 */
export const createAgendaQueue = async (
  payload: Payload,
  options: Exclude<ResolvedOptions['queue'], false>,
  run: CampaignRunner,
): Promise<CampaignQueue> => {
  const storage: Storage = options.backend
    ? { backend: options.backend, close: () => Promise.resolve() }
    : await siteStorage(payload)
  const agenda = new Agenda({
    name: `whatsapp-campaigns-${process.pid}`,
    backend: storage.backend,
    defaultLockLifetime: options.lockLifetimeMs,
    processEvery: options.processEveryMs,
    removeOnComplete: true,
  })
  const stopping = new AbortController()
  // The jobs running here, each settled once Agenda has saved its end (unlocked it).
  const running = new Set<Promise<void>>()
  const ended = new Map<string, () => void>()
  agenda.on('complete', (job: Job) => ended.get(String(job.attrs._id))?.())
  agenda.define<JobData>(
    campaignJobName,
    async (job) => {
      const id = String(job.attrs._id)
      const saved = new Promise<void>((resolve) => ended.set(id, resolve))
      running.add(saved)
      void saved.then(() => {
        ended.delete(id)
        running.delete(saved)
      })
      // A failed lock renewal must not abort a batch mid-send; the claims keep sending safe.
      await run(
        payload,
        job.attrs.data.campaignId,
        () => job.touch().catch(() => undefined),
        stopping.signal,
      )
      if (stopping.signal.aborted) {
        // Stopped mid-campaign: due again at once, so that Agenda, saving the run's end, unlocks
        // it for another worker instead of removing it as completed. (Agenda's stop() leaves
        // running jobs locked until their lock expires: a minute by default.)
        job.attrs.nextRunAt = new Date()
      }
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
      stopping.abort()
      // First no job is taken any more: a job this stop makes due again would otherwise be
      // taken back here and left locked by the exit. Then the running ones end, saved unlocked.
      await agenda.stop()
      await Promise.allSettled(running)
      await storage.close()
    },
    unschedule: async (campaignId) => {
      await agenda.cancel({ name: campaignJobName, data: { campaignId } })
    },
  }
}
