import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { bootPayload, type TestApp } from '../helpers/bootPayload.js'
import { claimedCampaign, recordSent, shuffled } from '../helpers/claimedCampaign.js'
import {
  campaignDoc,
  createAccount,
  expectCountersMatchRecipients,
  testAccount,
} from '../helpers/fixtures.js'
import { postWebhook, statusBody } from '../helpers/signedPost.js'
import { createDemoTemplates } from '../helpers/templates.js'
import { scale } from './scale.js'

let app: TestApp

beforeAll(async () => {
  app = await bootPayload('chaos_webhooks', { pluginOptions: { queue: false } })
})
afterAll(async () => {
  await app?.close()
})

describe('chaos: webhook storm', () => {
  const n = scale(1000, 10_000)

  test(`statuses for ${n} messages, three times each, shuffled, a fifth before the send was recorded: exact`, async () => {
    const account = await createAccount(app.payload)
    const templates = await createDemoTemplates(app.payload, account.id)
    const { id, claimed } = await claimedCampaign(app.payload, {
      accountId: account.id,
      n,
      templateId: templates.hello_world,
    })
    const early = Math.floor(n / 5)
    await recordSent(app.payload, id, claimed.slice(early), 'storm', early)

    const finals = [
      ['sent'],
      ['sent', 'delivered'],
      ['sent', 'delivered', 'read'],
      ['sent', 'failed'],
    ]
    const events = claimed.flatMap((_, i) =>
      finals[i % 4].map((status) => ({ id: `wamid.storm${i}`, status })),
    )
    const deliveries = shuffled([...events, ...events, ...events])
    let next = 0
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let at = next; at < deliveries.length; at = next) {
          next += 10
          const { status } = await postWebhook(
            app.rest.url,
            statusBody(testAccount.phoneNumberId, deliveries.slice(at, at + 10)),
            { secret: testAccount.appSecret },
          )
          expect(status).toBe(200)
        }
      }),
    )
    // The first fifth's sends are recorded only now: their events were waiting.
    await recordSent(app.payload, id, claimed.slice(0, early), 'storm')

    await expectCountersMatchRecipients(app.payload, id)
    const quarter = n / 4
    expect(await campaignDoc(app.payload, id)).toMatchObject({
      deliveredCount: 2 * quarter,
      failedCount: quarter,
      readCount: quarter,
      sentCount: n,
    })
  })
})
