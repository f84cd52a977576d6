import type { Payload } from 'payload'

import type { CampaignQueue, CampaignRunner } from './types.js'

import { campaignsToResume } from './campaignsToResume.js'

// setTimeout cannot wait longer than this; longer schedules re-arm in steps.
const maxTimerMs = 2 ** 31 - 1

/**
 * No queue: campaigns run in this process, as the spec's fallback when Celery is absent.
 * Schedules are timers, re-armed from the database when the process starts.
 */
export const createInlineQueue = (
  payload: Payload,
  runCampaign: CampaignRunner,
): { resume(): Promise<void> } & CampaignQueue => {
  const timers = new Map<string, NodeJS.Timeout>()
  const running = new Set<Promise<void>>()
  const stopping = new AbortController()

  const run = (campaignId: string) => {
    const task = runCampaign(payload, campaignId, undefined, stopping.signal).catch(
      (error: unknown) =>
        payload.logger.error({ campaignId, err: error }, 'whatsapp campaign run failed'),
    )
    running.add(task)
    void task.finally(() => running.delete(task))
  }

  const arm = (campaignId: string, at: Date) => {
    clearTimeout(timers.get(campaignId))
    const delay = at.getTime() - Date.now()
    timers.set(
      campaignId,
      setTimeout(
        () => (delay > maxTimerMs ? arm(campaignId, at) : run(campaignId)),
        Math.max(0, Math.min(delay, maxTimerMs)),
      ),
    )
  }

  return {
    enqueue: (campaignId) => {
      run(campaignId)
      return Promise.resolve()
    },
    resume: async () => {
      for (const campaign of await campaignsToResume(payload)) {
        if (campaign.status === 'scheduled' && campaign.scheduledAt) {
          arm(campaign.id, campaign.scheduledAt)
        } else if (campaign.status === 'paused' && campaign.resumeAt) {
          arm(campaign.id, campaign.resumeAt)
        } else {
          run(campaign.id)
        }
      }
    },
    schedule: (campaignId, at) => {
      arm(campaignId, at)
      return Promise.resolve()
    },
    stop: async () => {
      timers.forEach((timer) => clearTimeout(timer))
      timers.clear()
      stopping.abort()
      await Promise.all(running)
    },
    unschedule: (campaignId) => {
      clearTimeout(timers.get(campaignId))
      timers.delete(campaignId)
      return Promise.resolve()
    },
  }
}
