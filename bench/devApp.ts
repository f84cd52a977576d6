/**
 * The dev app under a campaign, as a user runs it: `next dev` (npm run dev) on a fresh embedded
 * database (this checkout's .data, moved aside for the run and put back after), seeded, `contacts`
 * contacts on the demo account, its cap raised, a contacts campaign run from the REST API while
 * the campaign is read every second as the admin page does. Next, Payload and the embedded
 * database run in the one next-server process; the simulator and its webhooks in a child of it.
 * The app's resident memory (children included) is sampled every 0.5 s.
 * BENCH_DEVAPP_NODE_OPTIONS adds Node options to the app (e.g. --max-old-space-size=2048);
 * BENCH_DEVAPP_LOG=file keeps its output (else in the OS temp folder, named in the result).
 */
import { MongoClient, ObjectId } from 'mongodb'
import { spawn } from 'node:child_process'
import { createWriteStream, existsSync, promises as fs } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import { freePorts } from '../dev/database/embeddedServer.js'
import { devUser } from '../dev/seed.js'
import { rssMb } from './processStats.js'
import { exited } from './siteProcesses.js'

export type DevAppScenario = { cap: number; contacts: number }

export type DevAppResult = {
  counters: Record<string, number>
  countersExact: boolean
  /** How the app ended when it did not survive: exit code or signal, and its last log lines. */
  death?: string
  /** From the run request until the campaign ended and its counters settled (s). */
  durationSeconds: number
  /** The campaign's error, when it shows one. */
  error?: string
  /** Where the app's output was written. */
  log: string
  /** The slowest admin read of the campaign (ms). */
  maxGetMs: number
  peakRssMb: number
  recount: Record<string, number>
  status: string
  survived: boolean
  /** The error messages of (up to 200) recipients whose send ended unknown, counted. */
  unknownReasons: Record<string, number>
} & DevAppScenario

const dataDir = path.resolve('.data')
const distDir = '.next-devapp'

const phoneOf = (i: number) => `97${String(10_000_000 + i)}`

/** The last lines of the app's output, for how it ended. */
const logTail = async (log: string) =>
  (await fs.readFile(log, 'utf8').catch(() => ''))
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('[mem]'))
    .slice(-5)
    .join(' / ')

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const terminal = ['cancelled', 'completed', 'failed', 'paused']

export const benchDevApp = async (scenario: DevAppScenario): Promise<DevAppResult> => {
  // A fresh database: the checkout's own data waits aside and comes back at the end.
  const aside = existsSync(dataDir) ? `${dataDir}-before-devapp-bench-${Date.now()}` : undefined
  if (aside) {
    await fs.rename(dataDir, aside)
  }
  const [port, simulatorPort, databasePort] = await freePorts(3)
  const log = process.env.BENCH_DEVAPP_LOG ?? path.join(os.tmpdir(), `devapp-${Date.now()}.log`)
  const logStream = createWriteStream(log)
  // The dev app's own database and simulator, whatever this shell points elsewhere.
  const { DATABASE_URI: _database, WHATSAPP_GRAPH_API_URL: _graphApi, ...env } = process.env
  const app = spawn(
    process.execPath,
    ['node_modules/next/dist/bin/next', 'dev', 'dev', '--port', String(port)],
    {
      detached: true,
      env: {
        ...env,
        EMBEDDED_DB_PORT: String(databasePort),
        NEXT_DIST_DIR: distDir,
        NEXT_TELEMETRY_DISABLED: '1',
        // As `npm run dev` sets it, plus any options under test.
        NODE_OPTIONS: ['--no-deprecation', process.env.BENCH_DEVAPP_NODE_OPTIONS ?? '']
          .join(' ')
          .trim(),
        PORT: String(port),
        SIMULATOR_PORT: String(simulatorPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  app.stdout?.pipe(logStream)
  app.stderr?.pipe(logStream)
  let ended: string | undefined
  app.once('exit', (code, signal) => {
    ended = `next dev exited (code ${code}, signal ${signal})`
  })
  let peakRssMb = 0
  const memory = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, app.pid ? rssMb(app.pid) : 0)
  }, 500)
  const base = `http://127.0.0.1:${port}/api`
  const alive = () => ended === undefined
  try {
    let token: string | undefined
    for (const deadline = Date.now() + 300_000; !token && alive() && Date.now() < deadline;) {
      const login = await fetch(`${base}/users/login`, {
        body: JSON.stringify(devUser),
        headers: { 'content-type': 'application/json' },
        method: 'POST',
      }).catch(() => undefined)
      token = login?.ok ? ((await login.json()) as { token: string }).token : undefined
      if (!token) {
        await sleep(1000)
      }
    }
    if (!token) {
      throw new Error(ended ?? 'the dev app did not let the dev user log in within 300 s')
    }
    const api = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
      const request = () =>
        fetch(`${base}${route}`, {
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: { authorization: `JWT ${token}`, 'content-type': 'application/json' },
          method,
        })
      // A kept-alive socket the app closed as it was reused fails at once: asked again.
      const response = await request().catch(async (error: Error) => {
        process.stderr.write(
          `devapp: ${method} ${route}: ${error.message} (${String(error.cause)}), again\n`,
        )
        await sleep(500)
        return request()
      })
      if (!response.ok) {
        throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`)
      }
      return (await response.json()) as T
    }
    type Page = { docs: Array<{ id: string } & Record<string, unknown>>; totalDocs: number }
    const account = (await api<Page>('GET', '/whatsapp-accounts?limit=1&depth=0')).docs[0]
    await api('PATCH', `/whatsapp-accounts/${account.id}`, { messagesPerSecond: scenario.cap })
    const template = (
      await api<Page>('GET', '/whatsapp-templates?where[name][equals]=hello_world&depth=0')
    ).docs[0]
    // One contact made through the API as the admin makes it; the others copied from it
    // straight into the database (the embedded server scans its collection on every insert,
    // which would take minutes through the API and is not what is measured).
    const { doc: first } = await api<{ doc: { id: string } }>('POST', '/whatsapp-contacts', {
      account: account.id,
      phone: phoneOf(0),
    })
    const client = await MongoClient.connect(`mongodb://127.0.0.1:${databasePort}`)
    try {
      const contacts = client.db('whatsapp-campaigns-dev').collection('whatsapp-contacts')
      const model = await contacts.findOne({ _id: new ObjectId(first.id) })
      const total = await contacts.countDocuments({})
      if (!model || !String(model.normalizedPhone).includes(phoneOf(0))) {
        throw new Error(
          `the contact made through the API is not as expected: ${JSON.stringify(model)}`,
        )
      }
      const { _id: _model, ...fields } = model
      const copies = Array.from({ length: Math.max(0, scenario.contacts - total) }, (_, i) => ({
        ...fields,
        normalizedPhone: String(fields.normalizedPhone).replace(phoneOf(0), phoneOf(i + 1)),
        phone: phoneOf(i + 1),
      }))
      if (copies.length > 0) {
        await contacts.insertMany(copies)
      }
    } finally {
      await client.close()
    }
    const { doc: campaign } = await api<{ doc: { id: string } }>('POST', '/whatsapp-campaigns', {
      name: `dev app ${scenario.contacts} at ${scenario.cap}/s`,
      account: account.id,
      audienceType: 'contacts',
      template: template.id,
    })
    process.stderr.write(`devapp: ${scenario.contacts} contacts ready; running the campaign\n`)
    const started = Date.now()
    await api('POST', `/whatsapp-campaigns/${campaign.id}/run`)

    const counterNames = [
      'totalCount',
      'sentCount',
      'deliveredCount',
      'readCount',
      'failedCount',
      'unknownCount',
    ]
    const recount = async () => {
      const count = async (where: string) =>
        (
          await api<{ totalDocs: number }>(
            'GET',
            `/whatsapp-campaign-recipients/count?where[campaign][equals]=${campaign.id}${where}`,
          )
        ).totalDocs
      const inStatus = (statuses: string[]) =>
        count(statuses.map((s, i) => `&where[status][in][${i}]=${s}`).join(''))
      return {
        deliveredCount: await inStatus(['delivered', 'read']),
        failedCount: await inStatus(['failed']),
        readCount: await inStatus(['read']),
        // Sent: given a message id by Meta, whatever its status since.
        sentCount: await count('&where[messageId][exists]=true'),
        totalCount: await count(''),
        unknownCount: await inStatus(['unknown']),
      }
    }
    // The admin page's poll: the campaign, once a second, until it ends and its counters settle.
    let status = ''
    let error: string | undefined
    let counters: Record<string, number> = {}
    let maxGetMs = 0
    let settledSince = 0
    let last = ''
    let recounted: Record<string, number> = {}
    for (const deadline = Date.now() + 900_000; alive() && Date.now() < deadline;) {
      const asked = Date.now()
      const doc = await api<Record<string, unknown>>(
        'GET',
        `/whatsapp-campaigns/${campaign.id}?depth=0`,
      ).catch((error: Error) => {
        process.stderr.write(`devapp: GET failed: ${error.message}\n`)
        return undefined
      })
      maxGetMs = Math.max(maxGetMs, Date.now() - asked)
      if (doc) {
        status = String(doc.status)
        error = typeof doc.error === 'string' ? doc.error : error
        counters = Object.fromEntries(counterNames.map((name) => [name, Number(doc[name] ?? 0)]))
        const now = JSON.stringify(counters)
        settledSince = now === last ? settledSince : Date.now()
        last = now
        // Settled: ended, and the counters unchanged for 15 s (the last reads come late).
        if (terminal.includes(status) && Date.now() - settledSince > 15_000) {
          recounted = await recount()
          if (counterNames.every((name) => recounted[name] === counters[name])) {
            break
          }
        }
      }
      await sleep(Math.max(0, 1000 - (Date.now() - asked)))
    }
    const survived = alive()
    // Why sends ended unknown (no answer in time, a network error), as the admin shows them.
    const unknownReasons: Record<string, number> = {}
    if (survived) {
      const unknown = await api<Page>(
        'GET',
        `/whatsapp-campaign-recipients?limit=200&depth=0&where[campaign][equals]=${campaign.id}&where[status][equals]=unknown`,
      )
      for (const doc of unknown.docs) {
        const reason = String(doc.errorMessage)
        unknownReasons[reason] = (unknownReasons[reason] ?? 0) + 1
      }
    }
    const durationSeconds = (Date.now() - started) / 1000
    return {
      ...scenario,
      counters,
      countersExact: survived && counterNames.every((name) => recounted[name] === counters[name]),
      death: survived ? undefined : `${ended}; its log ends: ${await logTail(log)}`,
      durationSeconds,
      error,
      log,
      maxGetMs,
      peakRssMb,
      recount: recounted,
      status,
      survived,
      unknownReasons,
    }
  } finally {
    clearInterval(memory)
    if (app.pid && app.exitCode === null && app.signalCode === null) {
      process.kill(-app.pid, 'SIGTERM')
      await Promise.race([exited(app), sleep(20_000)])
      if (app.exitCode === null && app.signalCode === null) {
        process.kill(-app.pid, 'SIGKILL')
      }
    }
    logStream.end()
    // The bench's database goes, the checkout's own comes back.
    await fs.rm(dataDir, { force: true, recursive: true })
    if (aside) {
      await fs.rename(aside, dataDir)
    }
  }
}
