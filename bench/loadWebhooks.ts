/**
 * The load simulator's webhook senders, in a thread of their own as Meta's are on machines of
 * their own: sharing the simulated Cloud API's event loop, their work stalled it by tens of
 * milliseconds, and sends that reached it on time were counted against the throughput cap
 * bunched together. Gets each accepted message from loadSimulator.ts, posts its status webhooks
 * as Meta's senders do, and answers 'report' with what it measured.
 */
import { type EventLoopUtilization, performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'

import type { LoadReport } from './loadSimulator.js'

import { demoAccount } from '../dev/demoAccount.js'
import { statusPayload } from '../dev/simulator/webhooks.js'
import { signedPoster } from '../test/helpers/signedPoster.js'

export type AcceptedMessage = { id: string; to: string }
export type WebhookReport = Pick<
  LoadReport,
  'acked' | 'ackMs' | 'answeredAt' | 'due' | 'failedPosts' | 'lateMs' | 'sendersBusy'
>

const { duplicates, early, senders, webhookUrl } = workerData as {
  duplicates: number
  early: number
  senders: number
  webhookUrl: string
}

const post = signedPoster(new URL(webhookUrl), {
  appSecret: demoAccount.appSecret,
  senders,
})

type Hook = { dueAt: number; message: number; status: 'delivered' | 'read' | 'sent' }
const messages: AcceptedMessage[] = []
const queue: Hook[] = []
const acked: LoadReport['acked'] = []
const due: LoadReport['due'] = []
const ackMs: number[] = []
const answeredAt: number[] = []
const lateMs: number[] = []
let failedPosts = 0

// New accepted messages become webhooks: early ones due now, the others a little later.
// From the first message on: the busy share of the run, not of the site's boot.
let startedLoop: EventLoopUtilization | undefined
const feed = (accepted: AcceptedMessage[]) => {
  startedLoop ??= performance.eventLoopUtilization()
  const now = Date.now()
  for (const message of accepted) {
    const index = messages.push(message) - 1
    const delay = Math.random() < early ? 0 : 500 + Math.random() * 1000
    acked.push({})
    due.push({ delivered: 0, read: 0 })
    for (const [i, status] of (['sent', 'delivered', 'read'] as const).entries()) {
      const hook = { dueAt: now + delay + i * 50, message: index, status }
      if (status !== 'sent') {
        due[index][status] = hook.dueAt
      }
      queue.push(hook)
      if (Math.random() < duplicates) {
        queue.push({ ...hook, dueAt: hook.dueAt + 30 })
      }
    }
  }
  queue.sort((a, b) => a.dueAt - b.dueAt)
}

let stopping = false
const sender = async () => {
  while (!stopping || queue.length > 0) {
    const hook = queue[0]
    if (!hook || hook.dueAt > Date.now()) {
      await new Promise((resolve) => setTimeout(resolve, 5))
      continue
    }
    queue.shift()
    const message = messages[hook.message]
    const body = statusPayload({
      displayPhoneNumber: demoAccount.displayPhoneNumber,
      messageId: message.id,
      phoneNumberId: demoAccount.phoneNumberId,
      recipient: message.to,
      status: hook.status,
      wabaId: demoAccount.wabaId,
    })
    lateMs.push(Date.now() - hook.dueAt)
    const started = performance.now()
    const status = await post(body).catch(() => 0)
    ackMs.push(performance.now() - started)
    if (status !== 200) {
      failedPosts++
      continue
    }
    answeredAt.push(Date.now())
    if (hook.status !== 'sent') {
      acked[hook.message][hook.status] ??= Date.now()
    }
  }
}
const sending = Promise.all(Array.from({ length: senders }, sender))

parentPort!.on('message', (message: 'report' | AcceptedMessage[]) => {
  if (message !== 'report') {
    feed(message)
    return
  }
  stopping = true
  void sending.then(() => {
    const { utilization } = performance.eventLoopUtilization(startedLoop)
    const report: WebhookReport = {
      acked,
      ackMs,
      answeredAt,
      due,
      failedPosts,
      lateMs,
      sendersBusy: utilization,
    }
    parentPort!.postMessage(report)
  })
})
