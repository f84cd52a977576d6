import type { ChildProcess } from 'node:child_process'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { CloudApiSimulator } from '../../dev/simulator/index.js'

import { bootPayload, testDatabaseUri } from '../helpers/bootPayload.js'
import { createContacts } from '../helpers/contacts.js'
import {
  createAccount,
  createCampaign,
  expectEachSentOnceOrUnknown,
  waitForStatus,
} from '../helpers/fixtures.js'
import { killWorker, startWorker } from '../helpers/spawnWorker.js'
import { createDemoTemplates } from '../helpers/templates.js'
import { startTestSimulator } from '../helpers/testSimulator.js'
import { scale } from './scale.js'

let simulator: CloudApiSimulator

beforeAll(async () => {
  simulator = await startTestSimulator({ latencyMs: { max: 60, min: 10 } })
})
afterAll(async () => {
  await simulator?.close()
})

describe('chaos: workers killed', () => {
  const kills = scale(3, 10)
  const size = scale(150, 400)

  test(`the worker SIGKILLed at random points ${kills} times, restarted each time: completes, nobody messaged twice, unknowns reported`, async () => {
    const databaseUri = testDatabaseUri('chaos_kills')
    const app = await bootPayload('chaos_kills', {
      databaseUri,
      pluginOptions: { claimLeaseMs: 2000, graphApiUrl: simulator.url, queue: { worker: false } },
    })
    const workerArgs = { claimLeaseMs: 2000, databaseUri, graphUrl: simulator.url }
    let worker: ChildProcess | undefined
    try {
      const account = await createAccount(app.payload, { messagesPerSecond: 30 })
      const templates = await createDemoTemplates(app.payload, account.id)
      const phones = await createContacts(app.payload, account.id, size, { label: 'kills' })
      const campaign = await createCampaign(app.payload, {
        account: account.id,
        audienceType: 'contacts',
        template: templates.hello_world,
      })
      const token = await app.login()
      worker = await startWorker(workerArgs)
      expect(
        (await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token })).status,
      ).toBe(200)
      const killedAt: number[] = []
      for (let kill = 0; kill < kills; kill++) {
        // Anywhere from before the first claim to the middle of a batch.
        await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 2500))
        await killWorker(worker)
        killedAt.push(simulator.sent.length)
        worker = await startWorker(workerArgs)
      }
      const done = await waitForStatus(app.payload, campaign.id, ['completed'], 180_000)

      await expectEachSentOnceOrUnknown(app.payload, campaign.id, {
        counts: simulator.countsByRecipient(),
        phones,
      })
      expect(done.sentCount + done.unknownCount).toBe(size)
      expect(killedAt).toHaveLength(kills)
    } finally {
      await killWorker(worker)
      await app.close()
    }
  })
})
