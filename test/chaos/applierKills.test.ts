import type { ChildProcess } from 'node:child_process'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { getStore } from '../../src/store/index.js'
import { bootPayload, type TestApp, testDatabaseUri } from '../helpers/bootPayload.js'
import { claimedCampaign, recordSent, shuffled } from '../helpers/claimedCampaign.js'
import {
  campaignDoc,
  createAccount,
  expectCountersMatchRecipients,
  testAccount,
  waitForWebhooksApplied,
} from '../helpers/fixtures.js'
import { postWebhook, statusBody } from '../helpers/signedPost.js'
import { killWorker, startWorker } from '../helpers/spawnWorker.js'
import { createDemoTemplates } from '../helpers/templates.js'
import { scale } from './scale.js'

const databaseUri = testDatabaseUri('chaos_applier_kills')
let app: TestApp

beforeAll(async () => {
  // This process receives webhooks but never applies them: the workers do, one at a time.
  app = await bootPayload('chaos_applier_kills', {
    databaseUri,
    pluginOptions: { queue: false, webhookApplier: { enabled: false } },
  })
})
afterAll(async () => {
  await app?.close()
})

describe('chaos: webhook applier killed', () => {
  const n = scale(1000, 5000)
  const kills = scale(3, 8)

  test(`the applier SIGKILLed mid-batch ${kills} times while ${n * 3} statuses arrive: another process takes over, counters exact`, async () => {
    const account = await createAccount(app.payload)
    const templates = await createDemoTemplates(app.payload, account.id)
    const { id, claimed } = await claimedCampaign(app.payload, {
      accountId: account.id,
      n,
      templateId: templates.hello_world,
    })
    const early = Math.floor(n / 5)
    await recordSent(app.payload, id, claimed.slice(early), 'kill', early)
    const finals = [
      ['sent'],
      ['sent', 'delivered'],
      ['sent', 'delivered', 'read'],
      ['sent', 'failed'],
    ]
    const events = claimed.flatMap((_, i) =>
      finals[i % 4].map((status) => ({ id: `wamid.kill${i}`, status })),
    )
    const deliveries = shuffled([...events, ...events])

    // Small batches and a short lease: a kill lands mid-batch, and the takeover comes soon.
    const workerArgs = {
      applier: { batchSize: 100, leaseMs: 1500 },
      claimLeaseMs: 60_000,
      databaseUri,
      graphUrl: 'http://127.0.0.1:9',
    }
    let worker: ChildProcess | undefined = await startWorker(workerArgs)
    try {
      let next = 0
      const posting = Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let at = next; at < deliveries.length; at = next) {
            next += 5
            const { status } = await postWebhook(
              app.rest.url,
              statusBody(testAccount.phoneNumberId, deliveries.slice(at, at + 5)),
              { secret: testAccount.appSecret },
            )
            expect(status).toBe(200)
          }
        }),
      )
      const store = getStore(app.payload)
      let killed = 0
      while (killed < kills) {
        await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 1200))
        // Only while it has work: a kill between batches would prove less.
        if ((await store.backlog()) === 0) {
          continue
        }
        await killWorker(worker)
        killed++
        worker = await startWorker(workerArgs)
      }
      await posting
      await waitForWebhooksApplied(app.payload, 300_000)
      // The first fifth's sends are recorded only now: their events were waiting.
      await recordSent(app.payload, id, claimed.slice(0, early), 'kill')

      await expectCountersMatchRecipients(app.payload, id)
      const quarter = n / 4
      expect(await campaignDoc(app.payload, id)).toMatchObject({
        deliveredCount: 2 * quarter,
        failedCount: quarter,
        readCount: quarter,
        sentCount: n,
      })
      expect(killed).toBe(kills)
    } finally {
      await killWorker(worker)
    }
  })
})
