import type { ChildProcess } from 'node:child_process'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { CloudApiSimulator } from '../../dev/simulator/index.js'

import { bootPayload } from '../helpers/bootPayload.js'
import { claimedCampaign, recordSent } from '../helpers/claimedCampaign.js'
import { createContacts } from '../helpers/contacts.js'
import {
  campaignDoc,
  createAccount,
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
} from '../helpers/fixtures.js'
import { postWebhook, statusBody } from '../helpers/signedPost.js'
import { killWorker, startWorker } from '../helpers/spawnWorker.js'
import { startTcpProxy } from '../helpers/tcpProxy.js'
import { createDemoTemplates } from '../helpers/templates.js'
import { testDatabaseUri, usesPostgres } from '../helpers/testDatabase.js'
import { startTestSimulator } from '../helpers/testSimulator.js'
import { scale } from './scale.js'

let simulator: CloudApiSimulator

/** A TCP proxy in front of the test database, and the database URI that goes through it. */
const proxiedDatabase = async (name: string) => {
  const databaseUri = testDatabaseUri(name)
  const server = new URL(databaseUri)
  const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) })
  const proxied = new URL(databaseUri)
  proxied.host = `127.0.0.1:${proxy.port}`
  return { databaseUri, proxiedUri: proxied.toString(), proxy }
}

/**
 * A request on the wire: on MongoDB a command on a collection (their names as BSON strings),
 * on Postgres a statement containing every one of these words.
 */
const request =
  (mongo: { collection: string; command: string }, sql: string[]) =>
  (bytes: Buffer): boolean =>
    usesPostgres()
      ? sql.every((word) => bytes.includes(word))
      : bytes.includes(`${mongo.command}\0`) && bytes.includes(`${mongo.collection}\0`)

/**
 * Meta redelivers a webhook that was not answered 200 (a request that failed while the
 * database was unreachable: on Postgres, Payload's own reads fail at once).
 */
const deliverLikeMeta = async (post: () => Promise<{ status: number }>) => {
  for (let attempt = 1; ; attempt++) {
    const { status } = await post()
    if (status === 200) {
      return
    }
    expect(status).toBe(500)
    expect(attempt).toBeLessThan(20)
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

const anyRequest = () => true
const recipientsCollection = 'whatsapp-campaign-recipients'
const campaignsCollection = 'whatsapp-campaigns'

// In turn: an outcome write, a claim or counter update, any request at all. On Postgres the
// outcome and its counters commit together, so the commit is the request whose answer is lost.
const workerCuts = [
  request({ collection: recipientsCollection, command: 'update' }, ['COMMIT']),
  request({ collection: campaignsCollection, command: 'update' }, ["status = 'sending'"]),
  anyRequest,
]

// In turn: the event log's insert that acknowledges a webhook, then the applier's batch write
// of recipient statuses (on Postgres its commit, counters and events marked applied included).
const webhookCuts = [
  request({ collection: 'whatsapp-webhook-events', command: 'insert' }, [
    'INSERT INTO',
    'whatsapp_webhook_events',
  ]),
  request({ collection: recipientsCollection, command: 'update' }, ['COMMIT']),
]

beforeAll(async () => {
  simulator = await startTestSimulator({ latencyMs: { max: 40, min: 10 } })
})
afterAll(async () => {
  await simulator?.close()
})

describe('chaos: database connection dropped', () => {
  const drops = scale(4, 10)
  const size = scale(400, 1500)

  test(`the worker's database connection cut ${drops} times mid-request for 2 s: sending waits and resumes, nobody lost or messaged twice`, async () => {
    const { databaseUri, proxiedUri, proxy } = await proxiedDatabase('chaos_db_drops')
    const app = await bootPayload('chaos_db_drops', {
      databaseUri,
      pluginOptions: { graphApiUrl: simulator.url, queue: { worker: false } },
    })
    let worker: ChildProcess | undefined
    try {
      // Slow enough that every cut, and the recovery after it, falls before the last send.
      const account = await createAccount(app.payload, { messagesPerSecond: 20 })
      const templates = await createDemoTemplates(app.payload, account.id)
      const phones = await createContacts(app.payload, account.id, size, { label: 'drops' })
      const campaign = await createCampaign(app.payload, {
        account: account.id,
        audienceType: 'contacts',
        template: templates.hello_world,
      })
      // A lease far longer than the cuts: any recipient left unrecorded would show as pending.
      worker = await startWorker({
        claimLeaseMs: 600_000,
        databaseUri: proxiedUri,
        graphUrl: simulator.url,
      })
      const token = await app.login()
      expect(
        (await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token })).status,
      ).toBe(200)

      const sentAtCut: number[] = []
      while (simulator.sent.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      for (let drop = 0; drop < drops; drop++) {
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1000))
        sentAtCut.push(simulator.sent.length)
        await proxy.cutAfterNextRequest(2000, workerCuts[drop % workerCuts.length])
      }
      const done = await waitForStatus(app.payload, campaign.id, ['completed'], 180_000)

      // The cuts fell mid-campaign, and the worker survived them.
      expect(sentAtCut.every((sent) => sent > 0 && sent < size)).toBe(true)
      expect(worker.exitCode).toBeNull()
      const counts = simulator.countsByRecipient()
      expect(phones.filter((phone) => counts.get(phone) !== 1)).toEqual([])
      const { counts: statuses } = await expectCountersMatchRecipients(app.payload, campaign.id)
      expect(statuses.unknown).toBe(0)
      expect(done.sentCount).toBe(size)
    } finally {
      await killWorker(worker)
      await proxy.close()
      await app.close()
    }
  })

  test(`webhook status writes cut ${drops} times mid-request: every status and counter exact`, async () => {
    const { proxiedUri, proxy } = await proxiedDatabase('chaos_db_drops_webhooks')
    const app = await bootPayload('chaos_db_drops_webhooks', {
      databaseUri: proxiedUri,
      pluginOptions: { queue: false },
    })
    try {
      const account = await createAccount(app.payload)
      const templates = await createDemoTemplates(app.payload, account.id)
      const { id, claimed } = await claimedCampaign(app.payload, {
        accountId: account.id,
        n: size,
        templateId: templates.hello_world,
      })
      await recordSent(app.payload, id, claimed, 'drops')
      // Half delivered, half read after their delivered: every status write moves a counter.
      const events = claimed.flatMap((_, i) =>
        (i % 2 ? ['delivered', 'read'] : ['delivered']).map((status) => ({
          id: `wamid.drops${i}`,
          status,
        })),
      )
      let next = 0
      const senders = Promise.all(
        // Two events a request: a stream long enough for every cut and its recovery.
        Array.from({ length: 4 }, async () => {
          for (let at = next; at < events.length; at = next) {
            next += 2
            const body = statusBody(testAccount.phoneNumberId, events.slice(at, at + 2))
            await deliverLikeMeta(() =>
              postWebhook(app.rest.url, body, { secret: testAccount.appSecret }),
            )
          }
        }),
      )
      const cutAt: number[] = []
      for (let drop = 0; drop < drops; drop++) {
        await new Promise((resolve) => setTimeout(resolve, 100 + Math.random() * 200))
        cutAt.push(next)
        await proxy.cutAfterNextRequest(2000, webhookCuts[drop % webhookCuts.length])
      }
      await senders

      expect(cutAt.every((at) => at > 0 && at < events.length)).toBe(true)
      await expectCountersMatchRecipients(app.payload, id)
      expect(await campaignDoc(app.payload, id)).toMatchObject({
        deliveredCount: size,
        readCount: size / 2,
        sentCount: size,
      })
    } finally {
      // The app's database is reached through the proxy, to the end.
      await app.close()
      await proxy.close()
    }
  })
})
