/**
 * Campaign under real load: the dev app served by `next start` (its production build in dev/
 * .next-bench, built on first use), the Cloud API simulator in a process of its own posting
 * status webhooks as Meta's senders do (loadSimulator.ts), a campaign run from the REST API at
 * the account's cap. This process only prepares the data and watches the counters.
 */
import type { Payload } from 'payload'

import { fork } from 'node:child_process'

import type { LoadReport } from './loadSimulator.js'

import { freePorts } from '../dev/database/embeddedServer.js'
import { demoAccountData } from '../dev/demoAccount.js'
import { devUser } from '../dev/seed.js'
import { demoTemplates, mostInAnyWindow } from '../dev/simulator/index.js'
import { templateDocument } from '../src/meta/templateDocument.js'
import { getStore } from '../src/store/index.js'
import { percentile } from './measure.js'
import { cpuMs, machineCpuMs, machineCpuSince, rssMb } from './processStats.js'
import {
  answering,
  profileFlags,
  siteDatabase,
  siteToken,
  spawnSite,
  spawnWorker,
  stopGroup,
  webhookUrl,
} from './siteProcesses.js'

export type RealLoadScenario = {
  cap: number
  contacts: number
  latencyMs: number
  senders: number
  /** Where Meta posts the webhooks: the site's route, or the standalone receiver's process. */
  webhooks: 'receiver' | 'site'
  /** Where campaigns are sent from: the site's process, or a worker process of their own. */
  worker: 'separate' | 'site'
}

/** CPU time per message sent (ms, summed over cores), from Run until the last webhook's answer. */
export type CpuShares = {
  /** The rest of the machine: the database, the kernel, anything else running. */
  databaseAndRest: number
  /** Meta's side: the simulator answering the sends and its senders posting the webhooks. */
  meta: number
  /** The site (`next start`), with the worker's and the receiver's processes when there are. */
  site: number
}

export type RealLoadResult = {
  ackP50Ms: number
  ackP99Ms: number
  /** Events neither applied nor waiting when the last webhook was acknowledged. */
  backlogAtEnd: number
  countersExact: boolean
  /** The share of the machine's CPU time that was busy (all cores), from Run to the last answer. */
  cpuBusy: number
  cpuPerMessageMs: CpuShares
  database: string
  /** From when Meta's webhook was due to leave to the counter that counts it (ms). */
  eventLagP50Ms: number
  eventLagP99Ms: number
  /** Units (delivered, read) never counted within the wait after the end. */
  lagMissing: number
  lagP50Ms: number
  lagP99Ms: number
  /** How late Meta's senders posted the webhooks past their due time (see LoadReport.lateMs). */
  lateP50Ms: number
  lateP99Ms: number
  /** The longest time between two consecutive sends (ms): a stall of the sending. */
  longestPauseMs: number
  /** The share of the run Meta's sender thread was busy (LoadReport.sendersBusy). */
  metaSendersBusy: number
  /** The embedded database server's peak resident memory (MB), when it runs apart. */
  peakDatabaseRssMb: number
  peakRssMb: number
  posted: number
  sendRate: number
  sent: number
  /** The most webhooks the site answered 200 within any one second. */
  webhooksBusiestSecond: number
  webhooksPerSecond: number
} & RealLoadScenario

/** The account, its templates and `contacts` contacts, as the seed would, plus the admin user. */
export const prepare = async (
  payload: Payload,
  scenario: Pick<RealLoadScenario, 'cap' | 'contacts'>,
) => {
  await payload.create({ collection: 'users', data: { ...devUser, role: 'admin' } })
  const account = await payload.create({
    collection: 'whatsapp-accounts',
    data: { ...demoAccountData('Load number'), messagesPerSecond: scenario.cap },
  })
  const hello = demoTemplates.find((t) => t.name === 'hello_world')!
  const template = await payload.create({
    collection: 'whatsapp-templates',
    data: templateDocument(hello, account.id),
  })
  let next = 0
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < scenario.contacts; i = next++) {
        await payload.create({
          collection: 'whatsapp-contacts',
          data: { account: account.id, phone: `97${String(10_000_000 + i)}` },
        })
      }
    }),
  )
  return payload.create({
    collection: 'whatsapp-campaigns',
    data: {
      name: `load ${scenario.cap}/s`,
      account: account.id,
      audienceType: 'contacts',
      template: template.id,
    },
  })
}

/**
 * The counting units (delivered, read) the site acknowledged, in time order: when it answered
 * them, or when Meta's webhooks for them were due to leave (Meta's event, before any wait).
 */
const unitTimes = (report: LoadReport, from: 'answer' | 'due') =>
  report.acked
    .flatMap((answered, i) => {
      const at = (status: 'delivered' | 'read') =>
        answered[status] === undefined
          ? []
          : [from === 'answer' ? answered[status] : report.due[i][status]]
      const first = [...at('delivered'), ...at('read')]
      return [...(first.length > 0 ? [Math.min(...first)] : []), ...at('read')]
    })
    .sort((a, b) => a - b)

/**
 * Per unit, in rank order, how long until the counters counted that many (ms): its p50 and p99
 * (NaN when none was counted), and how many never were.
 */
const lagsBehind = (units: number[], samples: Array<{ at: number; units: number }>) => {
  const lags: number[] = []
  let missing = 0
  units.forEach((at, k) => {
    const counted = samples.find((s) => s.units >= k + 1)
    if (counted) {
      lags.push(Math.max(0, counted.at - at))
    } else {
      missing++
    }
  })
  const at = (p: number) => (lags.length > 0 ? percentile(lags, p) : Number.NaN)
  return { missing, p50: at(50), p99: at(99) }
}

export const benchRealLoad = async (scenario: RealLoadScenario): Promise<RealLoadResult> => {
  // This process makes the schema and the data, and then only reads.
  const { close, database, payload } = await siteDatabase(`realload-${scenario.cap}`)
  const campaign = await prepare(payload, scenario)
  const [port, receiverPort] = await freePorts(2)

  const simulator = fork('bench/loadSimulator.ts', [], {
    env: {
      ...process.env,
      LOAD_CAP: String(scenario.cap),
      LOAD_LATENCY_MS: String(scenario.latencyMs),
      LOAD_SENDERS: String(scenario.senders),
      LOAD_WEBHOOK_URL: webhookUrl(scenario.webhooks === 'receiver' ? receiverPort : port),
    },
    execArgv: [...profileFlags(), '--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  })
  const { url } = await new Promise<{ url: string }>((resolve) =>
    simulator.once('message', (m) => resolve(m as { url: string })),
  )
  const site = spawnSite(port, {
    DATABASE_URI: database.uri,
    ...(scenario.worker === 'separate' ? { WHATSAPP_CAMPAIGNS_WORKER: 'false' } : {}),
    WHATSAPP_GRAPH_API_URL: url,
  })
  // README "Workers": the web process only enqueues, `npx payload run worker.ts` sends.
  const worker =
    scenario.worker === 'separate'
      ? spawnWorker({ DATABASE_URI: database.uri, WHATSAPP_GRAPH_API_URL: url })
      : undefined
  // README "High-volume webhooks": a process that only receives them.
  const receiver =
    scenario.webhooks === 'receiver'
      ? spawnWorker({
          DATABASE_URI: database.uri,
          WHATSAPP_CAMPAIGNS_WORKER: 'false',
          WHATSAPP_GRAPH_API_URL: url,
          WHATSAPP_WEBHOOK_PORT: String(receiverPort),
        })
      : undefined
  const base = `http://127.0.0.1:${port}/api`
  let peakRssMb = 0
  let peakDatabaseRssMb = 0
  const memory = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, site.pid ? rssMb(site.pid) : 0)
    peakDatabaseRssMb = Math.max(peakDatabaseRssMb, database.pid ? rssMb(database.pid) : 0)
  }, 500)
  try {
    const token = await siteToken(base)
    // Run only once the receiver listens: booting, it took a core for seconds of the sending,
    // and Meta's first webhooks found no one there.
    if (scenario.webhooks === 'receiver') {
      await answering(webhookUrl(receiverPort))
    }
    const siteCpuMs = () =>
      [site, worker, receiver].reduce((sum, child) => sum + (child?.pid ? cpuMs(child.pid) : 0), 0)
    const cpuAtRun = {
      machine: machineCpuMs(),
      meta: simulator.pid ? cpuMs(simulator.pid) : 0,
      site: siteCpuMs(),
    }
    const run = await fetch(`${base}/whatsapp-campaigns/${campaign.id}/run`, {
      headers: { authorization: `JWT ${token}` },
      method: 'POST',
    })
    if (!run.ok) {
      throw new Error(`run: ${run.status} ${await run.text()}`)
    }
    // Sampled all along, also while the simulator's senders drain their queue after the end.
    const samples: Array<{ at: number; units: number }> = []
    let status = ''
    let sampling = true
    const sampler = (async () => {
      while (sampling) {
        const doc = await payload.findByID({
          id: campaign.id,
          collection: 'whatsapp-campaigns',
          depth: 0,
        })
        status = String(doc.status)
        samples.push({
          at: Date.now(),
          units: Number(doc.deliveredCount ?? 0) + Number(doc.readCount ?? 0),
        })
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    const waitUntil = async (done: () => boolean, ms: number) => {
      for (const deadline = Date.now() + ms; !done() && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    }
    await waitUntil(() => ['cancelled', 'completed', 'failed', 'paused'].includes(status), 600_000)
    simulator.send('report')
    const report = await new Promise<LoadReport>((resolve) =>
      simulator.on(
        'message',
        (m) => typeof m === 'object' && m && 'acked' in m && resolve(m as LoadReport),
      ),
    )
    const machine = machineCpuSince(cpuAtRun.machine)
    const cpuUsed = {
      machine: machine.busyMs,
      meta: (simulator.pid ? cpuMs(simulator.pid) : 0) - cpuAtRun.meta,
      site: siteCpuMs() - cpuAtRun.site,
    }
    const store = getStore(payload)
    const backlogAtEnd = await store.backlog()
    const units = unitTimes(report, 'answer')
    await waitUntil(() => (samples.at(-1)?.units ?? 0) >= units.length, 120_000)
    sampling = false
    await sampler
    const fromAnswer = lagsBehind(units, samples)
    const fromEvent = lagsBehind(unitTimes(report, 'due'), samples)
    const counts = await store.countByStatus(String(campaign.id))
    const doc = await payload.findByID({
      id: campaign.id,
      collection: 'whatsapp-campaigns',
      depth: 0,
    })
    const countersExact =
      doc.deliveredCount === counts.delivered + counts.read &&
      doc.readCount === counts.read &&
      doc.failedCount === counts.failed
    const times = report.sentTimes
    const inOrder = [...times].sort((a, b) => a - b)
    const longestPauseMs = Math.max(0, ...inOrder.slice(1).map((t, i) => t - inOrder[i]))
    const span = (Math.max(...times) - Math.min(...times)) / 1000
    const webhookSpan = (Math.max(...units) - Math.min(...times)) / 1000
    return {
      ...scenario,
      ackP50Ms: percentile(report.ackMs, 50),
      ackP99Ms: percentile(report.ackMs, 99),
      backlogAtEnd,
      countersExact,
      cpuBusy: machine.busyShare,
      cpuPerMessageMs: {
        databaseAndRest: (cpuUsed.machine - cpuUsed.meta - cpuUsed.site) / times.length,
        meta: cpuUsed.meta / times.length,
        site: cpuUsed.site / times.length,
      },
      database: database.label,
      eventLagP50Ms: fromEvent.p50,
      eventLagP99Ms: fromEvent.p99,
      lagMissing: fromAnswer.missing,
      lagP50Ms: fromAnswer.p50,
      lagP99Ms: fromAnswer.p99,
      lateP50Ms: percentile(report.lateMs, 50),
      lateP99Ms: percentile(report.lateMs, 99),
      longestPauseMs,
      metaSendersBusy: report.sendersBusy,
      peakDatabaseRssMb,
      peakRssMb,
      posted: report.posted,
      sendRate: times.length > 1 && span > 0 ? (times.length - 1) / span : 0,
      sent: times.length,
      webhooksBusiestSecond: mostInAnyWindow(report.answeredAt, 1000),
      webhooksPerSecond: webhookSpan > 0 ? report.posted / webhookSpan : 0,
    }
  } finally {
    clearInterval(memory)
    for (const child of [site, worker, receiver]) {
      if (child) {
        await stopGroup(child)
      }
    }
    simulator.kill('SIGTERM')
    await close()
  }
}
