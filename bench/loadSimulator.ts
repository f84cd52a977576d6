/**
 * The Cloud API simulator in a process of its own, posting each accepted message's status
 * webhooks as Meta's senders do: ~3 per message (sent, delivered, read), one per request, from
 * LOAD_SENDERS concurrent senders, LOAD_DUPLICATES of them twice, LOAD_EARLY of the messages'
 * statuses at once (before the site can record the send's answer), the rest 0.5-1.5 s later.
 * Forked by realLoad.ts (IPC): it says { url } once listening, and answers 'report' with what
 * it measured, then exits.
 */
import { demoAccount } from '../dev/demoAccount.js'
import { demoTemplates, startCloudApiSimulator } from '../dev/simulator/index.js'
import { statusPayload } from '../dev/simulator/webhooks.js'
import { postWebhook } from '../test/helpers/signedPost.js'

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const webhookUrl = String(process.env.LOAD_WEBHOOK_BASE)
const senders = env('LOAD_SENDERS', 16)
const duplicates = env('LOAD_DUPLICATES', 0.1)
const early = env('LOAD_EARLY', 0.2)

export type LoadReport = {
  /** Per message: when the first delivered and the first read were acknowledged (ms epoch). */
  acked: Array<{ delivered?: number; read?: number }>
  ackMs: number[]
  failedPosts: number
  posted: number
  sentTimes: number[]
}

const simulator = await startCloudApiSimulator({
  accounts: [demoAccount],
  latencyMs: env('LOAD_LATENCY_MS', 200),
  templates: { [demoAccount.wabaId]: demoTemplates },
  throughputCap: env('LOAD_CAP', 80),
})

type Hook = { dueAt: number; message: number; status: 'delivered' | 'read' | 'sent' }
const queue: Hook[] = []
const acked: LoadReport['acked'] = []
const ackMs: number[] = []
let failedPosts = 0
let seen = 0

// New accepted messages become webhooks: early ones due now, the others a little later.
const feedNew = () => {
  const now = Date.now()
  for (; seen < simulator.sent.length; seen++) {
    const delay = Math.random() < early ? 0 : 500 + Math.random() * 1000
    acked.push({})
    for (const [i, status] of (['sent', 'delivered', 'read'] as const).entries()) {
      const hook = { dueAt: now + delay + i * 50, message: seen, status }
      queue.push(hook)
      if (Math.random() < duplicates) {
        queue.push({ ...hook, dueAt: hook.dueAt + 30 })
      }
    }
  }
  queue.sort((a, b) => a.dueAt - b.dueAt)
}
const feed = setInterval(feedNew, 10)

let stopping = false
const sender = async () => {
  while (!stopping || queue.length > 0) {
    const hook = queue[0]
    if (!hook || hook.dueAt > Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      continue
    }
    queue.shift()
    const message = simulator.sent[hook.message]
    const body = statusPayload({
      displayPhoneNumber: demoAccount.displayPhoneNumber,
      messageId: message.id,
      phoneNumberId: demoAccount.phoneNumberId,
      recipient: message.to,
      status: hook.status,
      wabaId: demoAccount.wabaId,
    })
    const started = performance.now()
    const { status } = await postWebhook(webhookUrl, body, { secret: demoAccount.appSecret }).catch(
      () => ({ status: 0 }),
    )
    ackMs.push(performance.now() - started)
    if (status !== 200) {
      failedPosts++
      continue
    }
    if (hook.status !== 'sent') {
      acked[hook.message][hook.status] ??= Date.now()
    }
  }
}
const sending = Promise.all(Array.from({ length: senders }, sender))

process.send?.({ url: simulator.url })
process.on('message', (message) => {
  if (message !== 'report') {
    return
  }
  clearInterval(feed)
  feedNew()
  stopping = true
  void sending.then(() => {
    const report: LoadReport = {
      acked,
      ackMs,
      failedPosts,
      posted: ackMs.length,
      sentTimes: simulator.sent.map((m) => m.receivedAt),
    }
    process.send?.(report, () => void simulator.close().then(() => process.exit(0)))
  })
})
