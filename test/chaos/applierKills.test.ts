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
    const store = getStore(app.payload)
    const post = (events: typeof deliveries) => {
      let next = 0
      return Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let at = next; at < events.length; at = next) {
            next += 5
            const { status } = await postWebhook(
              app.rest.url,
              statusBody(testAccount.phoneNumberId, events.slice(at, at + 5)),
              { secret: testAccount.appSecret },
            )
            expect(status).toBe(200)
          }
        }),
      )
    }
    const chunk = Math.ceil(deliveries.length / (kills + 1))
    let worker: ChildProcess | undefined
    try {
      let killed = 0
      for (; killed < kills; killed++) {
        // Logged while no applier runs; the next one finds a backlog of many batches.
        await post(deliveries.slice(killed * chunk, (killed + 1) * chunk))
        const backlog = await store.backlog()
        worker = await startWorker(workerArgs)
        // Killed as soon as it has applied a batch (after taking over the dead one's lease).
        while ((await store.backlog()) >= backlog) {
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        await killWorker(worker)
      }
      await post(deliveries.slice(kills * chunk))
      worker = await startWorker(workerArgs)
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
