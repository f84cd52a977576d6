import type { Payload } from 'payload'

/** How campaigns get executed: Agenda jobs, or inline in this process. */
export interface CampaignQueue {
  /** Runs the campaign as soon as a worker is free. */
  enqueue(campaignId: string): Promise<void>
  /** Runs the campaign at `at` (replacing an earlier schedule). */
  schedule(campaignId: string, at: Date): Promise<void>
  /**
   * Stops processing: running campaigns record their sends in flight, give back what they did
   * not send, and are left to another worker (their jobs unlocked, not completed).
   */
  stop(): Promise<void>
  /** Drops a pending schedule. */
  unschedule(campaignId: string): Promise<void>
}

/**
 * What a job does with its campaign: given to the queue by the room above (campaigns/), so the
 * queue knows nothing of campaign statuses. `touch` keeps the job's lock alive; `stopping` is
 * aborted when this process stops: the run then records what it sent, gives back what it did
 * not, and returns, leaving the campaign running for another worker.
 */
export type CampaignRunner = (
  payload: Payload,
  campaignId: string,
  touch?: () => Promise<void>,
  stopping?: AbortSignal,
) => Promise<void>
