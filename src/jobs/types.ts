import type { Payload } from 'payload'

/** How campaigns get executed: Agenda jobs, or inline in this process. */
export interface CampaignQueue {
  /** Runs the campaign as soon as a worker is free. */
  enqueue(campaignId: string): Promise<void>
  /** Runs the campaign at `at` (replacing an earlier schedule). */
  schedule(campaignId: string, at: Date): Promise<void>
  /** Stops processing: lets running campaigns release their claims. */
  stop(): Promise<void>
  /** Drops a pending schedule. */
  unschedule(campaignId: string): Promise<void>
}

/**
 * What a job does with its campaign: given to the queue by the room above (campaigns/), so the
 * queue knows nothing of campaign statuses. `touch` keeps the job's lock alive.
 */
export type CampaignRunner = (
  payload: Payload,
  campaignId: string,
  touch?: () => Promise<void>,
) => Promise<void>
