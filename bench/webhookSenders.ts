/**
 * Meta's side of the webhook bench, in a process of its own (forked by webhooks.ts), so that
 * the site's process does only the site's work: LOAD_SENDERS concurrent senders post signed
 * status webhooks, one event per request over kept-alive connections
 * (test/helpers/signedPoster.ts), for the given seconds, then report each request's time and
 * the refusals.
 */
import { demoAccount } from '../dev/demoAccount.js'
import { statusBody } from '../test/helpers/signedPost.js'
import { signedPoster } from '../test/helpers/signedPoster.js'

export type SendersJob = {
  events: Array<{ id: string; status: string }>
  /** Instead of webhooks, Meta's subscription check with a wrong mode: answered 403 at once. */
  floor?: boolean
  seconds: number
  senders: number
  url: string
}

export type SendersReport = {
  /** This process's CPU time (ms) while posting. */
  cpuMs: number
  latencies: number[]
  rejected: number
  seconds: number
}

const run = async ({
  events,
  floor = false,
  seconds,
  senders,
  url,
}: SendersJob): Promise<SendersReport> => {
  const post = signedPoster(new URL(url), { appSecret: demoAccount.appSecret, floor, senders })
  const expected = floor ? 403 : 200
  const latencies: number[] = []
  let next = 0
  let rejected = 0
  const deadline = Date.now() + seconds * 1000
  const started = performance.now()
  const cpu = process.cpuUsage()
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
  const { system, user } = process.cpuUsage(cpu)
  return {
    cpuMs: (system + user) / 1000,
    latencies,
    rejected,
    seconds: (performance.now() - started) / 1000,
  }
}

process.once('message', (job: SendersJob) => {
  void run(job).then((report) => process.send?.(report, () => process.exit(0)))
})
