import type { Payload } from 'payload'

import { fork } from 'node:child_process'

import type { SendersJob, SendersReport } from './webhookSenders.js'

import { getStore } from '../src/store/index.js'
import { webhookPath } from '../src/webhooks/endpoints.js'
import { commandCounter, cpuMsSince, percentile } from './measure.js'
import { machineCpuMs, machineCpuSince } from './processStats.js'

/** Runs the senders in their own process; resolves with what they measured. */
export const runSenders = (job: SendersJob) =>
  new Promise<SendersReport>((resolve, reject) => {
    const child = fork('bench/webhookSenders.ts', [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    child.once('message', (report) => resolve(report as SendersReport))
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`the webhook senders exited with ${code}`)))
    child.send(job)
  })

export type WebhookResult = {
  /** Events applied per second: from the first request until the applier's backlog was empty. */
  appliedPerSecond: number
  /** Events still unapplied when the last request was answered. */
  backlogAtEnd: number
  /** Database commands (handlers and applier) per acknowledged event, while the senders post. */
  commandsPerEvent: number
  /** CPU time of the site's process (handlers and applier) per acknowledged event. */
  cpuMsPerEvent: number
  events: number
  eventsPerSecond: number
  /** The share of the machine's CPU time (all cores) that was busy while the senders posted. */
  machineBusy: number
  p50Ms: number
  p99Ms: number
  rejected: number
  /** The rest of the machine's busy CPU time per event: the database, the kernel, anything else. */
  restCpuMsPerEvent: number
  seconds: number
  senders: number
  /** CPU time of the senders' process (Meta's side) per acknowledged event. */
  sendersCpuMsPerEvent: number
}

/**
 * Signed status webhooks (delivered, then read) for messages the engine sent, one event per
 * request as Meta usually sends them, from concurrent senders in a process of their own for
 * `seconds`; then the time the applier (in this process, the site's) takes to apply them all.
 */
export const benchWebhooks = async (
  payload: Payload,
  restUrl: string,
  messageIds: string[],
  {
    floor = false,
    seconds,
    senders,
  }: {
    /** Payload's own cost: GETs the plugin answers 403 at once, instead of webhooks. */
    floor?: boolean
    seconds: number
    senders: number
  },
): Promise<WebhookResult> => {
  const counter = commandCounter(payload)
  counter.on = true
  const cpu = process.cpuUsage()
  const machineAtStart = machineCpuMs()
  const {
    cpuMs: sendersCpuMs,
    latencies,
    rejected,
    seconds: elapsed,
  } = await runSenders({
    events: messageIds.flatMap((id) => [
      { id, status: 'delivered' },
      { id, status: 'read' },
    ]),
    floor,
    seconds,
    senders,
    url: `${restUrl}/api${webhookPath}`,
  })
  const ended = performance.now()
  const cpuMs = cpuMsSince(cpu)
  const machine = machineCpuSince(machineAtStart)
  counter.on = false
  const store = getStore(payload)
  const backlogAtEnd = await store.backlog()
  while ((await store.backlog()) > 0) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const applied = elapsed + (performance.now() - ended) / 1000
  return {
    appliedPerSecond: latencies.length / applied,
    backlogAtEnd,
    commandsPerEvent: counter.commands / latencies.length,
    cpuMsPerEvent: cpuMs / latencies.length,
    events: latencies.length,
    eventsPerSecond: latencies.length / elapsed,
    machineBusy: machine.busyShare,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    rejected,
    restCpuMsPerEvent: (machine.busyMs - cpuMs - sendersCpuMs) / latencies.length,
    seconds: elapsed,
    senders,
    sendersCpuMsPerEvent: sendersCpuMs / latencies.length,
  }
}
