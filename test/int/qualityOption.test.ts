import { afterAll, beforeAll, expect, test } from 'vitest'

import { runCampaign } from '../../src/index.js'
import { createContacts } from '../helpers/contacts.js'
import {
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
} from '../helpers/fixtures.js'
import {
  bootWithSimulator,
  setUpEditorAccount,
  type SimulatedApp,
} from '../helpers/simulatorApp.js'

let app: SimulatedApp

beforeAll(async () => {
  app = await bootWithSimulator('qualityOption', { pauseOnQualityDrop: false, queue: false })
})
afterAll(async () => {
  await app?.close()
})

test('with pauseOnQualityDrop: false a RED rating is recorded and the campaign goes on', async () => {
  const { accountId, templates } = await setUpEditorAccount(app, { messagesPerSecond: 10 })
  const phones = await createContacts(app.payload, accountId, 20, { label: 'q' })
  const campaign = await createCampaign(app.payload, {
    account: accountId,
    audienceFilters: { labels: { contains: 'q' } },
    audienceType: 'contacts',
    template: templates.hello_world,
  })
  await runCampaign(app.payload, campaign.id)
  const response = await fetch(`${app.simulator.url}/simulator/webhooks/quality-update`, {
    body: JSON.stringify({ event: 'FLAGGED', phoneNumberId: testAccount.phoneNumberId }),
    method: 'POST',
  })
  expect(response.status).toBe(200)
  const account = await app.payload.findByID({ id: accountId, collection: 'whatsapp-accounts' })
  expect(account).toMatchObject({ qualityEvent: 'FLAGGED', qualityRating: 'RED' })
  await waitForStatus(app.payload, campaign.id, ['completed'])
  const { counts } = await expectCountersMatchRecipients(app.payload, campaign.id)
  expect(counts.failed).toBe(0)
  const sentTo = app.simulator.countsByRecipient()
  expect(phones.filter((p) => sentTo.get(p) !== 1)).toEqual([])
})
