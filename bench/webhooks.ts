import type { Payload } from 'payload'

import { demoAccount } from '../dev/demoAccount.js'
import { getStore } from '../src/store/index.js'
import { postWebhook, statusBody } from '../test/helpers/signedPost.js'
import { percentile } from './measure.js'

export type WebhookResult = {
  /** Events applied per second: from the first request until the applier's backlog was empty. */
  appliedPerSecond: number
  /** Events still unapplied when the last request was answered. */
  backlogAtEnd: number
  events: number
  eventsPerSecond: number
  p50Ms: number
  p99Ms: number
  rejected: number
  seconds: number
  senders: number
}

/**
 * Signed status webhooks (delivered, then read) for messages the engine sent, one event per
 * request as Meta usually sends them, from concurrent senders for `seconds`; then the time the
 * applier (in the same process) takes to apply them all.
 */
export const benchWebhooks = async (
  payload: Payload,
  restUrl: string,
  messageIds: string[],
  { seconds, senders }: { seconds: number; senders: number },
): Promise<WebhookResult> => {
  const events = messageIds.flatMap((id) => [
    { id, status: 'delivered' },
    { id, status: 'read' },
  ])
  const latencies: number[] = []
  let next = 0
  let rejected = 0
  const deadline = Date.now() + seconds * 1000
  const started = performance.now()
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (Date.now() < deadline) {
        const event = events[next++ % events.length]
        const sentAt = performance.now()
        const { status } = await postWebhook(
          restUrl,
          statusBody(demoAccount.phoneNumberId, [event]),
          { secret: demoAccount.appSecret },
        )
        latencies.push(performance.now() - sentAt)
        if (status !== 200) {
          rejected++
        }
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  const store = getStore(payload)
  const backlogAtEnd = await store.backlog()
  while ((await store.backlog()) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const applied = (performance.now() - started) / 1000
  return {
    appliedPerSecond: latencies.length / applied,
    backlogAtEnd,
    events: latencies.length,
    eventsPerSecond: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    rejected,
    seconds: elapsed,
    senders,
  }
}
