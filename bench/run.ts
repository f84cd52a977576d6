/**
 * npm run bench: the engine against the Cloud API simulator, figures printed as a table.
 * DATABASE_URI names a server without a database name: postgres://user@host:port for Postgres
 * (the bench creates a bench_<time> database and drops it at the end) or mongodb://host:port;
 * MONGODB_URI also names a MongoDB; otherwise the embedded server runs in a child process.
 * BENCH_ONLY=send,materialize,webhooks,nextwebhooks,analytics,realload picks sections. Sizes,
 * on a real server (on the embedded one, which scans whole collections): BENCH_SEND_SECONDS 10
 * (4), BENCH_SIZE (rows materialized) 100000 (20000), BENCH_WEBHOOK_SECONDS 60 (15); the
 * campaign under real load runs at BENCH_LOAD_CAPS 80,1000 (80) msg/s, BENCH_LOAD_SECONDS 20 of
 * sending at 80/s and 4 at 1000/s (4,000 contacts), unless BENCH_LOAD_CONTACTS is set, sent by
 * the site or, with BENCH_LOAD_WORKER=separate, by a worker process, its webhooks posted to the
 * site or, with BENCH_LOAD_WEBHOOKS=receiver, to the standalone receiver in a process of its
 * own; nextwebhooks compares webhook ingestion under `next start` with that receiver;
 * BENCH_SITE_PROFILE=dir writes CPU profiles of the site's processes and of the simulated Meta
 * (one per thread) and BENCH_DB_PROFILE=dir of the embedded database server.
 * BENCH_ONLY=restart (never by default: the run without the switch waits for claimLeaseMs, 2 min)
 * stops the dev app under `next start` with SIGTERM a third into a campaign of
 * BENCH_RESTART_CONTACTS 1000 at 80 msg/s and starts it again, with and without
 * NEXT_MANUAL_SIG_HANDLE (README "Workers").
 * BENCH_ONLY=devapp (never by default: it moves this checkout's .data aside while it runs) runs
 * a campaign of BENCH_DEVAPP_CONTACTS 4000 at BENCH_DEVAPP_CAP 1000 msg/s in `next dev` (see
 * devApp.ts).
 */
import os from 'node:os'

import type { SendResult } from './send.js'

import { demoAccount } from '../dev/demoAccount.js'
import { demoTemplates, startCloudApiSimulator } from '../dev/simulator/index.js'
import { benchAnalytics } from './analytics.js'
import { bootBench } from './boot.js'
import { givenServer } from './database.js'
import { benchDevApp, type DevAppResult } from './devApp.js'
import { benchMaterialize } from './materialize.js'
import { benchNextWebhooks } from './nextWebhooks.js'
import { benchRows } from './phones.js'
import { onPostgres } from './rawTables.js'
import { benchRealLoad, type RealLoadResult } from './realLoad.js'
import { benchSend } from './send.js'
import { benchSiteRestart, type SiteRestartResult } from './siteRestart.js'
import { benchWebhooks } from './webhooks.js'

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const only = (
  process.env.BENCH_ONLY ?? 'send,materialize,webhooks,nextwebhooks,analytics,realload'
).split(',')
// The embedded server scans every recipient on each claim: smaller runs keep it usable.
const indexed = givenServer() !== undefined
const sendSeconds = env('BENCH_SEND_SECONDS', indexed ? 10 : 4)
const size = env('BENCH_SIZE', indexed ? 100_000 : 20_000)
const webhookSeconds = env('BENCH_WEBHOOK_SECONDS', indexed ? 60 : 15)
/** `separate`: campaigns sent by a worker process (README "Workers"), not by the site. */
const loadWorker = process.env.BENCH_LOAD_WORKER === 'separate' ? 'separate' : 'site'
const loadWebhooks = process.env.BENCH_LOAD_WEBHOOKS === 'receiver' ? 'receiver' : 'site'
const loadCaps = (process.env.BENCH_LOAD_CAPS ?? (indexed ? '80,1000' : '80'))
  .split(',')
  .map(Number)
const loadContacts = (cap: number) =>
  env('BENCH_LOAD_CONTACTS', cap >= 1000 ? 4000 : cap * env('BENCH_LOAD_SECONDS', 20))

const fixed = (value: number, digits = 1) => value.toFixed(digits)
const table = (head: string[], rows: Array<Array<number | string>>) =>
  [
    `| ${head.join(' | ')} |`,
    `|${head.map(() => ' --- ').join('|')}|`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n')

/** The dev app's section: it runs alone (next dev holds everything in one process). */
const devAppSection = async () => {
  const result: DevAppResult = await benchDevApp({
    cap: env('BENCH_DEVAPP_CAP', 1000),
    contacts: env('BENCH_DEVAPP_CONTACTS', 4000),
  })
  process.stderr.write(`dev app: ${JSON.stringify(result)}\n`)
  const counters = (c: Record<string, number>) =>
    ['totalCount', 'sentCount', 'deliveredCount', 'readCount', 'failedCount', 'unknownCount']
      .map((name) => c[name] ?? '-')
      .join('/')
  return [
    '',
    '## 7. The dev app under a campaign (`next dev`: Next, Payload and the embedded database in one process, the simulator and its webhooks in a child of it; the campaign read every second)',
    table(
      [
        'contacts',
        'cap msg/s',
        'survived',
        'app peak RSS MB',
        'duration s',
        'slowest GET ms',
        'counters total/sent/delivered/read/failed/unknown',
        'recount',
        'counters = recount',
      ],
      [
        [
          result.contacts,
          result.cap,
          result.survived ? 'yes' : `NO (${result.death})`,
          fixed(result.peakRssMb, 0),
          fixed(result.durationSeconds, 0),
          fixed(result.maxGetMs, 0),
          counters(result.counters),
          counters(result.recount),
          result.countersExact ? 'yes' : 'NO',
        ],
      ],
    ),
    `The app's output: ${result.log}. Duration: from the run request until the campaign ended and its counters stayed unchanged for 15 s.`,
    ...Object.entries(result.unknownReasons).map(
      ([reason, n]) => `Unknown outcome (${n} of the first 200): ${reason}`,
    ),
  ]
}

const main = async () => {
  const devApp = only.includes('devapp') ? await devAppSection() : []
  if (only.every((section) => section === 'devapp')) {
    process.stdout.write(
      `${[`# payload-plugin-whatsapp-campaigns benchmark`, ...devApp].join('\n')}\n`,
    )
    return
  }
  const simulator = await startCloudApiSimulator({
    accounts: [demoAccount],
    templates: { [demoAccount.wabaId]: demoTemplates },
  })
  const audience = { count: 0 }
  const app = await bootBench({
    audiences: {
      bench: {
        fields: ['phone', 'name', 'code'],
        resolve: () => Promise.resolve(benchRows(audience.count)),
      },
    },
    graphApiUrl: simulator.url,
  })
  const output: string[] = [
    `# payload-plugin-whatsapp-campaigns benchmark`,
    `Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    `Database: ${app.database}`,
    ...devApp,
  ]
  try {
    let messageIds: string[] = []
    if (only.includes('send')) {
      const results: SendResult[] = []
      for (const cap of [80, 1000]) {
        for (const latencyMs of [0, 200]) {
          const result = await benchSend(app, simulator, audience, {
            cap,
            latencyMs,
            recipients: cap * sendSeconds,
          })
          results.push(result)
          messageIds = simulator.sent.map((m) => m.id)
          process.stderr.write(
            `send ${cap}/s at ${latencyMs} ms: ${fixed(result.achieved)} msg/s\n`,
          )
        }
      }
      output.push(
        '',
        '## 1-2. Send throughput and engine overhead (one process, simulator in-process)',
        table(
          [
            'cap msg/s',
            'latency',
            'recipients',
            'achieved msg/s',
            '% of cap',
            'max in any 1 s',
            'DB commands/msg',
            'CPU ms/msg',
          ],
          results.map((r) => [
            r.cap,
            `${r.latencyMs} ms`,
            r.sent,
            fixed(r.achieved),
            `${fixed((r.achieved / r.cap) * 100)}%`,
            `${r.maxInOneSecond}${r.maxInOneSecond > r.cap ? ' (ABOVE CAP)' : ''}`,
            fixed(r.commandsPerMessage, 3),
            fixed(r.cpuMsPerMessage, 3),
          ]),
        ),
        'CPU is this process: the engine and the in-process simulator answering its sends; the database runs apart.',
        onPostgres(app.payload)
          ? 'DB commands are the SQL statements sent to the server, one each, BEGIN and COMMIT included.'
          : 'DB commands are the commands the MongoDB driver sends to the server.',
      )
    }
    if (only.includes('materialize')) {
      const results = await benchMaterialize(app, size)
      output.push(
        '',
        `## 3. Audience materialization (${size} rows)`,
        table(
          ['audience', 'rows', 'rows/s', 'peak RSS MB'],
          results.map((r) => [r.kind, r.rows, fixed(r.rowsPerSecond, 0), fixed(r.peakRssMb, 0)]),
        ),
      )
    }
    if (only.includes('webhooks')) {
      if (messageIds.length === 0) {
        const result = await benchSend(app, simulator, audience, {
          cap: 1000,
          latencyMs: 0,
          recipients: 2000,
        })
        messageIds = simulator.sent.map((m) => m.id).slice(0, result.sent)
      }
      const floor = await benchWebhooks(app.payload, app.restUrl, messageIds, {
        floor: true,
        seconds: Math.min(10, webhookSeconds),
        senders: 16,
      })
      const result = await benchWebhooks(app.payload, app.restUrl, messageIds, {
        seconds: webhookSeconds,
        senders: 16,
      })
      output.push(
        '',
        '## 4. Webhook ingestion (signed status events over HTTP, one per request)',
        table(
          [
            'requests',
            'senders',
            'seconds',
            'requests (events)',
            'acked/s',
            'ack p50 ms',
            'ack p99 ms',
            'rejected',
            'backlog at end',
            'applied events/s',
            'site CPU ms/request',
            'DB commands/request',
            'senders CPU ms/request',
            'DB & rest CPU ms/request',
            'machine CPU busy',
          ],
          [
            { label: 'status webhooks, signed, one event each', result, webhooks: true },
            { label: "Payload's floor: GET answered 403 at once", result: floor, webhooks: false },
          ].map(({ label, result: r, webhooks }) => [
            label,
            r.senders,
            fixed(r.seconds),
            r.events,
            fixed(r.eventsPerSecond, 0),
            fixed(r.p50Ms),
            fixed(r.p99Ms),
            r.rejected,
            webhooks ? r.backlogAtEnd : '-',
            webhooks ? fixed(r.appliedPerSecond, 0) : '-',
            fixed(r.cpuMsPerEvent, 3),
            fixed(r.commandsPerEvent, 3),
            fixed(r.sendersCpuMsPerEvent, 3),
            fixed(r.restCpuMsPerEvent, 3),
            `${fixed(r.machineBusy * 100, 0)}%`,
          ]),
        ),
        `Acked: answered 200 (the events logged), or 403 for the floor. Applied: from the first request until the applier (in the site's process) had applied them all. The senders run in a process of their own; site CPU is the site process's CPU time while they post, per request (1,000 / it is what one core could take). The floor is Payload's REST path alone (request, auth, routing, answer) with none of the plugin's work: what a webhook adds is the difference. Senders: the CPU time of the senders' process (Meta's side); DB & rest: the machine's busy time less the site's and the senders' (the database, the kernel, anything else); machine busy: the share of all ${os.availableParallelism()} cores used while the senders posted.`,
      )
    }
    if (only.includes('nextwebhooks')) {
      const results = await benchNextWebhooks({
        seconds: Math.min(20, webhookSeconds),
        senders: 16,
      })
      output.push(
        '',
        '## 4b. Webhook ingestion in production (`next start` against the standalone receiver)',
        table(
          [
            'requests',
            'acked/s',
            'ack p50 ms',
            'ack p99 ms',
            'rejected',
            'answering process CPU ms/request',
            'machine CPU busy',
          ],
          results.map((r) => [
            r.label,
            fixed(r.eventsPerSecond, 0),
            fixed(r.p50Ms),
            fixed(r.p99Ms),
            r.rejected,
            fixed(r.serverCpuMsPerRequest, 3),
            `${fixed(r.machineBusy * 100, 0)}%`,
          ]),
        ),
        `The dev app's production build under \`next start\` (web only) and the receiver (\`startWebhookReceiver\`, README "High-volume webhooks") in a process of its own, both on the bench's database; 16 senders in a process of their own post signed status webhooks for message ids of no campaign (each event is logged, then set waiting by the applier, in one of the two processes). The answering process's CPU time per request is what one of its cores pays: 1,000 / it is what one core could take.`,
      )
    }
    if (only.includes('realload')) {
      // Its own database, site and simulator: the in-process app stays idle meanwhile.
      const results: RealLoadResult[] = []
      for (const cap of loadCaps) {
        const result = await benchRealLoad({
          cap,
          contacts: loadContacts(cap),
          latencyMs: 200,
          senders: 16,
          webhooks: loadWebhooks,
          worker: loadWorker,
        })
        results.push(result)
        process.stderr.write(`real load ${cap}/s: ${JSON.stringify(result)}\n`)
      }
      output.push(
        '',
        '## 6. Campaign under real load (`next start`, simulator in its own process, 200 ms API latency, status webhooks from 16 senders, 10% duplicated, 20% before the send result)',
        table(
          [
            'cap msg/s',
            'sent from',
            'webhooks to',
            'contacts',
            'send msg/s',
            '% of cap',
            'longest send pause ms',
            'webhooks/s',
            'busiest webhook second',
            'posted late p50 / p99 ms',
            "Meta's senders' thread busy",
            'ack p50 ms',
            'ack p99 ms',
            'lag p50 ms',
            'lag p99 ms',
            'lag from Meta p50 / p99 ms',
            'backlog at end',
            'counters = recount',
            'site peak RSS MB',
            'embedded DB peak RSS MB',
            'machine CPU busy',
            'CPU ms/message: site / Meta / DB & rest',
          ],
          results.map((r) => [
            r.cap,
            r.worker === 'site' ? 'the site' : 'a worker',
            r.webhooks === 'site' ? 'the site' : 'the receiver',
            r.contacts,
            fixed(r.sendRate),
            `${fixed((r.sendRate / r.cap) * 100)}%`,
            fixed(r.longestPauseMs, 0),
            fixed(r.webhooksPerSecond, 0),
            r.webhooksBusiestSecond,
            `${fixed(r.lateP50Ms, 0)} / ${fixed(r.lateP99Ms, 0)}`,
            `${fixed(r.metaSendersBusy * 100, 0)}%`,
            fixed(r.ackP50Ms),
            fixed(r.ackP99Ms),
            fixed(r.lagP50Ms, 0),
            `${fixed(r.lagP99Ms, 0)}${r.lagMissing > 0 ? ` (${r.lagMissing} never counted)` : ''}`,
            `${fixed(r.eventLagP50Ms, 0)} / ${fixed(r.eventLagP99Ms, 0)}`,
            r.backlogAtEnd,
            r.countersExact ? 'yes' : 'NO',
            fixed(r.peakRssMb, 0),
            r.peakDatabaseRssMb > 0 ? fixed(r.peakDatabaseRssMb, 0) : '-',
            `${fixed(r.cpuBusy * 100, 0)}%`,
            [r.cpuPerMessageMs.site, r.cpuPerMessageMs.meta, r.cpuPerMessageMs.databaseAndRest]
              .map((ms) => fixed(ms, 2))
              .join(' / '),
          ]),
        ),
        `Machine CPU: ${os.availableParallelism()} cores; busy is the share of all of them used from Run until the last webhook was answered, and CPU per message divides each process's CPU time over that span by the messages sent (Meta: the simulator and its webhook senders; DB & rest: the machine's busy time less the site's and Meta's, so the database, the kernel and this bench's sampling). Posted late: how long after it was due Meta's senders posted a webhook, all 16 being busy waiting for answers; it stays near 0 while the site takes the webhooks as fast as they come, and grows through the run when it cannot. Lag: from the acknowledgement of a delivered or read status to the campaign counter that counts it (counters sampled every 100 ms); lag from Meta: from when Meta's webhook was due to leave, so with the time it waited for a sender. Backlog: events logged but not applied when the last webhook was answered.`,
      )
    }
    if (only.includes('restart')) {
      const results: SiteRestartResult[] = []
      for (const manualSignals of [true, false]) {
        results.push(
          await benchSiteRestart({ contacts: env('BENCH_RESTART_CONTACTS', 1000), manualSignals }),
        )
      }
      output.push(
        '',
        '## 8. A restart mid-campaign (`next start` sending at 80 msg/s, 200 ms API latency, SIGTERM once Meta has a third, started again)',
        table(
          [
            'NEXT_MANUAL_SIG_HANDLE',
            'contacts',
            'exit code',
            'exited after ms',
            'claims left',
            'completed after s',
            'unknown',
            'messaged twice',
          ],
          results.map((r) => [
            r.manualSignals ? 'true' : 'unset',
            r.contacts,
            r.exitCode ?? 'signal',
            r.stopMs,
            r.claimsLeft,
            fixed(r.doneMs / 1000),
            r.unknown,
            r.sentTwice,
          ]),
        ),
        'Claims left: recipients the stopped site had claimed and neither sent nor given back; they are reported unknown once `claimLeaseMs` (2 min by default) has passed. Completed after: from the SIGTERM, through the restart (whose first request boots Payload), until the campaign completed.',
      )
    }
    if (only.includes('analytics')) {
      const result = await benchAnalytics(app)
      output.push(
        '',
        '## 5. Global analytics',
        table(
          ['campaigns', 'recipients each', 'median ms (5 runs)'],
          [[result.campaigns, result.recipients, fixed(result.medianMs)]],
        ),
      )
    }
  } finally {
    await app.close()
    await simulator.close()
  }
  process.stdout.write(`${output.join('\n')}\n`)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${String((error as Error).stack ?? error)}\n`)
    process.exit(1)
  },
)
