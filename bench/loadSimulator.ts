/**
 * The Cloud API simulator in a process of its own, posting each accepted message's status
 * webhooks as Meta's senders do: ~3 per message (sent, delivered, read), one per request, from
 * LOAD_SENDERS concurrent senders, LOAD_DUPLICATES of them twice, LOAD_EARLY of the messages'
 * statuses at once (before the site can record the send's answer), the rest 0.5-1.5 s later;
 * the webhooks go from a thread of their own (loadWebhooks.ts).
 * Forked by realLoad.ts (IPC): it says { url } once listening, and answers 'report' with what
 * it measured, then exits.
 */
import { Worker } from 'node:worker_threads'

import type { AcceptedMessage, WebhookReport } from './loadWebhooks.js'

import { demoAccount } from '../dev/demoAccount.js'
import { demoTemplates, startCloudApiSimulator } from '../dev/simulator/index.js'

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback)

export type LoadReport = {
  /** Per message: when the first delivered and the first read were acknowledged (ms epoch). */
  acked: Array<{ delivered?: number; read?: number }>
  ackMs: number[]
  /** When each webhook the site took (200) was answered (ms epoch). */
  answeredAt: number[]
  /** Per message: when Meta's first delivered and read webhooks were due to leave (ms epoch). */
  due: Array<{ delivered: number; read: number }>
  failedPosts: number
  /**
   * Per webhook posted, how long after it was due it left (ms): Meta's senders all waiting for
   * the site's answers hold the rest back, so this grows when the site cannot keep up.
   */
  lateMs: number[]
  posted: number
  /** The share of the run the senders' thread was busy: near 1, Meta's own side held them back. */
  sendersBusy: number
  sentTimes: number[]
}

const simulator = await startCloudApiSimulator({
  accounts: [demoAccount],
  latencyMs: env('LOAD_LATENCY_MS', 200),
  templates: { [demoAccount.wabaId]: demoTemplates },
  throughputCap: env('LOAD_CAP', 80),
})

// A worker thread does not take --import tsx (Node 20): it registers tsx, then loads the file.
const webhookThread = new URL('./loadWebhooks.ts', import.meta.url).href
const webhooks = new Worker(
  `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(webhookThread)}) })`,
  {
    eval: true,
    workerData: {
      duplicates: env('LOAD_DUPLICATES', 0.1),
      early: env('LOAD_EARLY', 0.2),
      senders: env('LOAD_SENDERS', 16),
      webhookUrl: String(process.env.LOAD_WEBHOOK_URL),
    },
  },
)
let seen = 0
const feedNew = () => {
  const accepted: AcceptedMessage[] = simulator.sent.slice(seen).map(({ id, to }) => ({ id, to }))
  seen += accepted.length
  if (accepted.length > 0) {
    webhooks.postMessage(accepted)
  }
}
const feed = setInterval(feedNew, 10)

process.send?.({ url: simulator.url })
process.on('message', (message) => {
  if (message !== 'report') {
    return
  }
  clearInterval(feed)
  feedNew()
  webhooks.once('message', (measured: WebhookReport) => {
    const report: LoadReport = {
      ...measured,
      posted: measured.ackMs.length,
      sentTimes: simulator.sent.map((m) => m.receivedAt),
    }
    void webhooks.terminate()
    process.send?.(report, () => void simulator.close().then(() => process.exit(0)))
  })
  webhooks.postMessage('report')
})
