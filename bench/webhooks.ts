import type { Payload } from 'payload'

import { createHmac } from 'node:crypto'
import http from 'node:http'

import { demoAccount } from '../dev/demoAccount.js'
import { getStore } from '../src/store/index.js'
import { statusBody } from '../test/helpers/signedPost.js'
import { percentile } from './measure.js'

/**
 * A signed POST over a kept-alive connection with node:http, whose client costs the shared CPU
 * far less than fetch's: the figures are the site's more than the senders'.
 */
const poster = (restUrl: string, senders: number) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: senders })
  const url = new URL(`${restUrl}/api/whatsapp/webhook`)
  return (body: unknown) =>
    new Promise<number>((resolve, reject) => {
      const raw = JSON.stringify(body)
      const signature = createHmac('sha256', demoAccount.appSecret).update(raw).digest('hex')
      const request = http.request(
        url,
        {
          agent,
          headers: {
            'content-length': Buffer.byteLength(raw),
            'content-type': 'application/json',
            'x-hub-signature-256': `sha256=${signature}`,
          },
          method: 'POST',
        },
        (response) => {
          response.resume()
          response.once('end', () => resolve(response.statusCode ?? 0))
        },
      )
      request.once('error', reject)
      request.end(raw)
    })
}

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
  const post = poster(restUrl, senders)
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
        const status = await post(statusBody(demoAccount.phoneNumberId, [event]))
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
