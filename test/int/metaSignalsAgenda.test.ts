import { afterAll, beforeAll, expect, test } from 'vitest'

import { resumeCampaign, runCampaign } from '../../src/index.js'
import { createContacts } from '../helpers/contacts.js'
import {
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
  waitForWebhooksApplied,
} from '../helpers/fixtures.js'
import {
  bootWithSimulator,
  setUpEditorAccount,
  type SimulatedApp,
} from '../helpers/simulatorApp.js'

/**
 * On the Agenda queue (the default), with `pauseOnQualityDrop: false`: the restriction's
 * resume is an Agenda job at its expiry.
 */
let app: SimulatedApp
let accountId: number | string
let templates: Record<string, number | string>

beforeAll(async () => {
  app = await bootWithSimulator('metaSignalsAgenda', {
    pauseOnQualityDrop: false,
    queue: { processEveryMs: 200 },
  })
  ;({ accountId, templates } = await setUpEditorAccount(app, { messagesPerSecond: 10 }))
})
afterAll(async () => {
  await app?.close()
})

const flip = async (path: string, body: Record<string, unknown>) => {
  const response = await fetch(`${app.simulator.url}/simulator/${path}`, {
    body: JSON.stringify(body),
    method: 'POST',
  })
  expect(response.status).toBe(200)
  // A webhook the simulator posted is logged when answered, and applied by the applier.
  if (path.startsWith('webhooks/')) {
    await waitForWebhooksApplied(app.payload)
  }
}

let next = 0
const campaignOf = async (n: number) => {
  const label = `a${next}`
  const phones = await createContacts(app.payload, accountId, n, { first: next, label })
  next += n
  const campaign = await createCampaign(app.payload, {
    account: accountId,
    audienceFilters: { labels: { contains: label } },
    audienceType: 'contacts',
    template: templates.hello_world,
  })
  return { id: campaign.id, phones }
}

const expectCompletedOnce = async (campaign: { id: number | string; phones: string[] }) => {
  await waitForStatus(app.payload, campaign.id, ['completed'])
  const { counts, doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
  expect(counts.failed).toBe(0)
  expect(doc.error ?? null).toBeNull()
  const sentTo = app.simulator.countsByRecipient()
  expect(campaign.phones.filter((p) => sentTo.get(p) !== 1)).toEqual([])
}

const waitForSends = async (count: number) => {
  const deadline = Date.now() + 20_000
  while (app.simulator.sent.length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

test('with pauseOnQualityDrop: false a RED rating is recorded and the campaign goes on', async () => {
  const campaign = await campaignOf(20)
  await runCampaign(app.payload, campaign.id)
  await flip('webhooks/quality-update', {
    event: 'FLAGGED',
    phoneNumberId: testAccount.phoneNumberId,
  })
  const account = await app.payload.findByID({ id: accountId, collection: 'whatsapp-accounts' })
  expect(account).toMatchObject({ qualityEvent: 'FLAGGED', qualityRating: 'RED' })
  await expectCompletedOnce(campaign)
})

test('a restriction pauses the campaign and an Agenda job at its expiry resumes it', async () => {
  const campaign = await campaignOf(30)
  await runCampaign(app.payload, campaign.id)
  await waitForSends(app.simulator.sent.length + 3)
  const expiration = Math.floor(Date.now() / 1000) + 6
  await flip('webhooks/account-update', {
    event: 'ACCOUNT_RESTRICTION',
    restrictions: [{ type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration }],
    wabaId: testAccount.wabaId,
  })
  const paused = await waitForStatus(app.payload, campaign.id, ['paused'])
  expect(paused.resumeAt).toBeTruthy()
  expect(paused.error).toContain('resume on their own')
  await expect(resumeCampaign(app.payload, campaign.id)).rejects.toThrow('force')
  await expectCompletedOnce(campaign)
})
