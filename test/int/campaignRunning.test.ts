import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { getStore } from '../../src/store/index.js'
import { createContacts } from '../helpers/contacts.js'
import {
  campaignDoc,
  createCampaign,
  expectCountersMatchRecipients,
  waitForStatus,
} from '../helpers/fixtures.js'
import {
  bootWithSimulator,
  setUpEditorAccount,
  type SimulatedApp,
} from '../helpers/simulatorApp.js'
import { expectRateHeld } from '../helpers/testSimulator.js'

let app: SimulatedApp
let editor: string
let accountId: number | string
let templates: Record<string, number | string>

beforeAll(async () => {
  app = await bootWithSimulator('running', { queue: { processEveryMs: 200 } }, { latencyMs: 20 })
  ;({ accountId, editor, templates } = await setUpEditorAccount(app, { messagesPerSecond: 20 }))
})
afterAll(async () => {
  await app?.close()
})

const newCampaign = async (label: string, extra: Record<string, unknown> = {}) =>
  createCampaign(app.payload, {
    account: accountId,
    audienceFilters: { labels: { contains: label } },
    audienceType: 'contacts',
    template: templates.hello_world,
    ...extra,
  })

const sentToAtLeast = async (phones: string[], n: number) => {
  const deadline = Date.now() + 20_000
  while (phones.filter((p) => app.simulator.countsByRecipient().get(p)).length < n) {
    if (Date.now() > deadline) {
      throw new Error(`fewer than ${n} sent`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const expectEachOnce = (phones: string[]) => {
  const counts = app.simulator.countsByRecipient()
  for (const phone of phones) {
    expect(counts.get(phone) ?? 0, phone).toBe(1)
  }
}

describe('running campaigns through Agenda', () => {
  test('double Run starts one run; the rate limit holds in every 1-second window', async () => {
    const phones = await createContacts(app.payload, accountId, 50, { label: 'double' })
    const campaign = await newCampaign('double')
    const [first, second] = await Promise.all([
      app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token: editor }),
      app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token: editor }),
    ])
    expect([first.status, second.status].sort()).toEqual([200, 409])
    await waitForStatus(app.payload, campaign.id, ['completed'], 30_000)
    expectEachOnce(phones)
    expectRateHeld(app.simulator, app.simulator.sent[0].phoneNumberId, 20)
    const { doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc.sentCount).toBe(50)

    // The live figures carry the dates the campaign's sidebar shows, as ISO strings.
    const live = await app.api('GET', `/whatsapp-campaigns/${campaign.id}/analytics`, {
      token: editor,
    })
    const iso = (value: unknown) => new Date(String(value)).toISOString()
    expect(live.body).toMatchObject({
      completedAt: iso(doc.completedAt),
      pausedAt: null,
      startedAt: iso(doc.startedAt),
    })
  })

  test('pause stops sending; resume continues where it stopped; nobody twice', async () => {
    const phones = await createContacts(app.payload, accountId, 60, { first: 100, label: 'pause' })
    const campaign = await newCampaign('pause')
    expect(
      (await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token: editor })).status,
    ).toBe(200)
    // Wait for some sends, then pause.
    await sentToAtLeast(phones, 10)
    expect(
      (await app.api('POST', `/whatsapp-campaigns/${campaign.id}/pause`, { token: editor })).status,
    ).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const counts = await getStore(app.payload).countByStatus(String(campaign.id))
    expect(counts.sending).toBe(0)
    const sentAtPause = phones.filter((p) => app.simulator.countsByRecipient().get(p)).length
    expect(sentAtPause).toBeLessThan(60)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    // Nothing more goes out while paused.
    expect(phones.filter((p) => app.simulator.countsByRecipient().get(p)).length).toBe(sentAtPause)

    const wrong = await app.api('POST', `/whatsapp-campaigns/${campaign.id}/pause`, {
      token: editor,
    })
    expect(wrong.status).toBe(409)

    expect(
      (await app.api('POST', `/whatsapp-campaigns/${campaign.id}/resume`, { token: editor }))
        .status,
    ).toBe(200)
    await waitForStatus(app.payload, campaign.id, ['completed'], 30_000)
    expectEachOnce(phones)
    await expectCountersMatchRecipients(app.payload, campaign.id)
  })

  test('cancel stops a running campaign for good', async () => {
    const phones = await createContacts(app.payload, accountId, 40, { first: 200, label: 'cancel' })
    const campaign = await newCampaign('cancel')
    await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token: editor })
    await sentToAtLeast(phones, 5)
    expect(
      (await app.api('POST', `/whatsapp-campaigns/${campaign.id}/cancel`, { token: editor }))
        .status,
    ).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const sent = phones.filter((p) => app.simulator.countsByRecipient().get(p)).length
    await new Promise((resolve) => setTimeout(resolve, 1000))
    expect(phones.filter((p) => app.simulator.countsByRecipient().get(p)).length).toBe(sent)
    expect(sent).toBeLessThan(40)
    expect((await campaignDoc(app.payload, campaign.id)).status).toBe('cancelled')
    expect(
      (await app.api('POST', `/whatsapp-campaigns/${campaign.id}/resume`, { token: editor }))
        .status,
    ).toBe(409)
  })

  test('scheduledAt in the future: scheduled, moved by an edit, started on time', async () => {
    const phones = await createContacts(app.payload, accountId, 5, { first: 300, label: 'sched' })
    const campaign = await newCampaign('sched', {
      scheduledAt: new Date(Date.now() + 60_000).toISOString(),
    })
    const res = await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token: editor })
    expect(res.body).toMatchObject({ status: 'scheduled' })
    const soon = new Date(Date.now() + 2000)
    await app.api('PATCH', `/whatsapp-campaigns/${campaign.id}`, {
      body: { scheduledAt: soon.toISOString() },
      token: editor,
    })
    expect((await campaignDoc(app.payload, campaign.id)).status).toBe('scheduled')
    const done = await waitForStatus(app.payload, campaign.id, ['completed'], 20_000)
    expect(new Date(String(done.startedAt)).getTime()).toBeGreaterThanOrEqual(soon.getTime() - 50)
    expectEachOnce(phones)
  })

  test('clearing scheduledAt returns a scheduled campaign to draft', async () => {
    const campaign = await newCampaign('nobody', {
      scheduledAt: new Date(Date.now() + 60_000).toISOString(),
    })
    await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token: editor })
    await app.api('PATCH', `/whatsapp-campaigns/${campaign.id}`, {
      body: { scheduledAt: null },
      token: editor,
    })
    expect((await campaignDoc(app.payload, campaign.id)).status).toBe('draft')
  })
})
