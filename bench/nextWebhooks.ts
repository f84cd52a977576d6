/**
 * Webhook ingestion as a production site takes it: the dev app under `next start` (Payload's
 * REST route), against the plugin's standalone receiver in a process of its own (dev/worker.ts
 * with WHATSAPP_WEBHOOK_PORT); signed status webhooks, one event each, from the senders' process.
 */
import type { ChildProcess } from 'node:child_process'

import { freePorts } from '../dev/database/embeddedServer.js'
import { demoAccountData } from '../dev/demoAccount.js'
import { percentile } from './measure.js'
import { cpuMs, machineCpuMs, machineCpuSince } from './processStats.js'
import {
  answering,
  siteDatabase,
  spawnSite,
  spawnWorker,
  stopGroup,
  webhookUrl,
} from './siteProcesses.js'
import { runSenders } from './webhooks.js'

export type NextWebhookResult = {
  eventsPerSecond: number
  label: string
  machineBusy: number
  p50Ms: number
  p99Ms: number
  rejected: number
  /** CPU time per request of the process answering (the site or the receiver's). */
  serverCpuMsPerRequest: number
}

export const benchNextWebhooks = async ({
  seconds,
  senders,
}: {
  seconds: number
  senders: number
}): Promise<NextWebhookResult[]> => {
  // Makes the schema and the account; applies nothing.
  const { close, database, payload } = await siteDatabase('next-webhooks')
  await payload.create({ collection: 'whatsapp-accounts', data: demoAccountData('Bench number') })
  const [sitePort, receiverPort] = await freePorts(2)
  const env = {
    DATABASE_URI: database.uri,
    WHATSAPP_CAMPAIGNS_WORKER: 'false',
    // Nothing is sent: no simulator is started either (port 9 is discard).
    WHATSAPP_GRAPH_API_URL: 'http://127.0.0.1:9',
  }
  const site = spawnSite(sitePort, env)
  const receiver = spawnWorker({ ...env, WHATSAPP_WEBHOOK_PORT: String(receiverPort) })
  const siteUrl = webhookUrl(sitePort)
  const receiverUrl = webhookUrl(receiverPort)
  // Ids of no campaign's messages: each event is logged, then set waiting by the applier.
  const events = Array.from({ length: 20_000 }, (_, i) => ({
    id: `wamid.bench${i}`,
    status: i % 2 ? 'read' : 'delivered',
  }))
  const measure = async (label: string, server: ChildProcess, url: string, floor: boolean) => {
    const serverAtStart = server.pid ? cpuMs(server.pid) : 0
    const machineAtStart = machineCpuMs()
    const report = await runSenders({ events, floor, seconds, senders, url })
    const { busyShare } = machineCpuSince(machineAtStart)
    const requests = report.latencies.length
    return {
      eventsPerSecond: requests / report.seconds,
      label,
      machineBusy: busyShare,
      p50Ms: percentile(report.latencies, 50),
      p99Ms: percentile(report.latencies, 99),
      rejected: report.rejected,
      serverCpuMsPerRequest: ((server.pid ? cpuMs(server.pid) : 0) - serverAtStart) / requests,
    }
  }
  try {
    await answering(siteUrl)
    await answering(receiverUrl)
    return [
      await measure("next start: Next.js's floor, GET answered 403 at once", site, siteUrl, true),
      await measure("next start: status webhooks through Payload's route", site, siteUrl, false),
      await measure(
        'standalone receiver (its own process): status webhooks',
        receiver,
        receiverUrl,
        false,
      ),
    ]
  } finally {
    await stopGroup(site)
    await stopGroup(receiver)
    await close()
  }
}
