/**
 * Meta's side of the webhook bench, in a process of its own (forked by webhooks.ts), so that
 * the site's process does only the site's work: LOAD_SENDERS concurrent senders post signed
 * status webhooks, one event per request over kept-alive connections (node:http, far cheaper
 * than fetch), for the given seconds, then report each request's time and the refusals.
 */
import { createHmac } from 'node:crypto'
import http from 'node:http'

import { demoAccount } from '../dev/demoAccount.js'
import { statusBody } from '../test/helpers/signedPost.js'

export type SendersJob = {
  events: Array<{ id: string; status: string }>
  /** Instead of webhooks, Meta's subscription check with a wrong mode: answered 403 at once. */
  floor?: boolean
  seconds: number
  senders: number
  url: string
}

export type SendersReport = { latencies: number[]; rejected: number; seconds: number }

const poster = (url: URL, senders: number, floor: boolean) => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: senders })
  const check = new URL(url)
  check.searchParams.set('hub.mode', 'none')
  return (body: unknown) =>
    new Promise<number>((resolve, reject) => {
      const raw = floor ? '' : JSON.stringify(body)
      const signature = createHmac('sha256', demoAccount.appSecret).update(raw).digest('hex')
      const request = http.request(
        floor ? check : url,
        {
          agent,
          headers: floor
            ? {}
            : {
                'content-length': Buffer.byteLength(raw),
                'content-type': 'application/json',
                'x-hub-signature-256': `sha256=${signature}`,
              },
          method: floor ? 'GET' : 'POST',
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

const run = async ({
  events,
  floor = false,
  seconds,
  senders,
  url,
}: SendersJob): Promise<SendersReport> => {
  const post = poster(new URL(url), senders, floor)
  const expected = floor ? 403 : 200
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
        if (status !== expected) {
          rejected++
        }
      }
    }),
  )
  return { latencies, rejected, seconds: (performance.now() - started) / 1000 }
}

process.once('message', (job: SendersJob) => {
  void run(job).then((report) => process.send?.(report, () => process.exit(0)))
})
