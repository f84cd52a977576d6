import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'

import { demoTemplates } from '../../dev/simulator/index.js'
import { resumeCampaign, runCampaign } from '../../src/index.js'
import { getStore } from '../../src/store/index.js'
import { createContacts } from '../helpers/contacts.js'
import {
  campaignDoc,
  createAccount,
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
  waitForWebhooksApplied,
} from '../helpers/fixtures.js'
import { bootWithSimulator, type SimulatedApp } from '../helpers/simulatorApp.js'
import { createDemoTemplates } from '../helpers/templates.js'

/** A second number of the same WhatsApp Business Account: WABA-wide signals stop it too. */
const sameWaba = {
  accessToken: testAccount.accessToken,
  appSecret: testAccount.appSecret,
  displayPhoneNumber: '15550007777',
  phoneNumberId: '100000000000779',
  wabaId: testAccount.wabaId,
}

/** A number on a business of its own: no signal about the others may touch it. */
const otherWaba = {
  accessToken: 'other-access-token',
  appSecret: 'other-app-secret',
  displayPhoneNumber: '15550008888',
  phoneNumberId: '100000000000778',
  wabaId: '200000000000778',
}

let app: SimulatedApp
let editor: string
const numbers: Record<
  'main' | 'other' | 'sibling',
  { id: number | string; templates: Record<string, number | string> }
> = {} as never

const addAccount = async (account: typeof sameWaba, name: string) => {
  const doc = await app.payload.create({
    collection: 'whatsapp-accounts',
    data: {
      name,
      accessTokenInput: account.accessToken,
      appSecretInput: account.appSecret,
      displayPhoneNumber: account.displayPhoneNumber,
      messagesPerSecond: 10,
      phoneNumberId: account.phoneNumberId,
      wabaId: account.wabaId,
    },
  })
  return { id: doc.id, templates: await createDemoTemplates(app.payload, doc.id) }
}

beforeAll(async () => {
  app = await bootWithSimulator(
    'metaSignals',
    { queue: false },
    {
      accounts: [testAccount, sameWaba, otherWaba],
      templates: { [otherWaba.wabaId]: demoTemplates, [testAccount.wabaId]: demoTemplates },
    },
  )
  editor = await app.login()
  const main = (await createAccount(app.payload, { messagesPerSecond: 10 })).id
  numbers.main = { id: main, templates: await createDemoTemplates(app.payload, main) }
  numbers.sibling = await addAccount(sameWaba, 'Second number, same business')
  numbers.other = await addAccount(otherWaba, 'Other business')
})
afterEach(async () => {
  await flip('errors', { errorCodesByNumber: {}, errorCodesByPhone: {}, errorCodesByTemplate: {} })
})
afterAll(async () => {
  await app?.close()
})

/** Drives the simulator's switches over HTTP, as `npm run dev` users do with curl. */
const flip = async (path: string, body: Record<string, unknown>) => {
  const response = await fetch(`${app.simulator.url}/simulator/${path}`, {
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    method: 'POST',
  })
  expect(response.status, await response.clone().text()).toBe(200)
  // A webhook the simulator posted is logged when answered, and applied by the applier.
  if (path.startsWith('webhooks/')) {
    await waitForWebhooksApplied(app.payload)
  }
  return (await response.json()) as Record<string, unknown>
}

/** Unix seconds, `offset` seconds from now: webhook entry times. */
const at = (offset = 0) => Math.floor(Date.now() / 1000) + offset

let nextContact = 0
type Number = keyof typeof numbers
type TestCampaign = { id: number | string; phones: string[] }

/** `n` labelled contacts on the number and a campaign to them; not run. */
const campaignOf = async (
  n: number,
  {
    number = 'main',
    scheduledAt,
    template = 'hello_world',
  }: { number?: Number; scheduledAt?: Date; template?: string } = {},
): Promise<TestCampaign> => {
  const label = `s${nextContact}`
  const { id: account, templates } = numbers[number]
  const phones = await createContacts(app.payload, account, n, { first: nextContact, label })
  nextContact += n
  const campaign = await createCampaign(app.payload, {
    account,
    audienceFilters: { labels: { contains: label } },
    audienceType: 'contacts',
    ...(scheduledAt ? { scheduledAt: scheduledAt.toISOString() } : {}),
    template: templates[template],
  })
  return { id: campaign.id, phones }
}

const acceptedFrom = (phoneNumberId: string) =>
  app.simulator.sent.filter((m) => m.phoneNumberId === phoneNumberId).length

const waitForAccepted = async (phoneNumberId: string, count: number) => {
  const target = acceptedFrom(phoneNumberId) + count
  const deadline = Date.now() + 20_000
  while (acceptedFrom(phoneNumberId) < target) {
    if (Date.now() > deadline) {
      throw new Error(`the simulator never accepted ${count} sends from ${phoneNumberId}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const settled = async (campaign: TestCampaign) => {
  const deadline = Date.now() + 10_000
  while ((await getStore(app.payload).countByStatus(String(campaign.id))).sending > 0) {
    if (Date.now() > deadline) {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** Paused with the reason shown, nothing failed, unsent left pending, counters exact. */
const expectHeld = async (campaign: TestCampaign, reason: string[]) => {
  const doc = await waitForStatus(app.payload, campaign.id, ['paused'])
  for (const part of reason) {
    expect(doc.error).toContain(part)
  }
  await settled(campaign)
  const { counts } = await expectCountersMatchRecipients(app.payload, campaign.id)
  expect(counts).toMatchObject({ failed: 0, sending: 0 })
  return doc
}

/** Completed, nothing failed, counters exact, and each recipient accepted exactly once. */
const expectCompletedOnce = async (campaigns: TestCampaign[]) => {
  const sentTo = app.simulator.countsByRecipient()
  for (const campaign of campaigns) {
    await waitForStatus(app.payload, campaign.id, ['completed'])
    const { counts, doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(counts.failed).toBe(0)
    expect(doc.error ?? null).toBeNull()
  }
  const counts = app.simulator.countsByRecipient()
  for (const { phones } of campaigns) {
    expect(phones.filter((p) => counts.get(p) !== 1)).toEqual([])
  }
  return sentTo
}

const account = (number: Number) =>
  app.payload.findByID({ id: numbers[number].id, collection: 'whatsapp-accounts', depth: 0 })

const inAnHour = () => new Date(Date.now() + 60 * 60 * 1000)

describe('phone_number_quality_update', () => {
  test('FLAGGED (RED) pauses the running and scheduled campaigns of that number only; Resume sends each recipient once', async () => {
    const running = await campaignOf(30)
    const scheduled = await campaignOf(5, { scheduledAt: inAnHour() })
    const sibling = await campaignOf(10, { number: 'sibling' })
    await runCampaign(app.payload, scheduled.id)
    await runCampaign(app.payload, running.id)
    await runCampaign(app.payload, sibling.id)
    await waitForAccepted(testAccount.phoneNumberId, 3)

    await flip('webhooks/quality-update', {
      event: 'FLAGGED',
      phoneNumberId: testAccount.phoneNumberId,
      time: at(),
    })
    const held = await expectHeld(running, ['RED', 'FLAGGED', 'Resume'])
    expect((await getStore(app.payload).countByStatus(String(running.id))).pending).toBeGreaterThan(
      0,
    )
    await expectHeld(scheduled, ['RED'])
    expect(held.pausedAt).toBeTruthy()
    expect(await account('main')).toMatchObject({ qualityEvent: 'FLAGGED', qualityRating: 'RED' })
    expect((await account('main')).qualityUpdatedAt).toBeTruthy()
    // The other number of the business is not flagged.
    await expectCompletedOnce([sibling])
    expect((await account('sibling')).qualityRating ?? null).toBeNull()

    // A RED rating does not refuse Resume: the editor decides to send on.
    await resumeCampaign(app.payload, running.id)
    await resumeCampaign(app.payload, scheduled.id)
    await expectCompletedOnce([running, scheduled])
  })

  test('a DOWNGRADE in the newer shape pauses; an UPGRADE does not; the reported limit is stored', async () => {
    const campaign = await campaignOf(30)
    await runCampaign(app.payload, campaign.id)
    await waitForAccepted(testAccount.phoneNumberId, 3)
    await flip('webhooks/quality-update', {
      currentLimit: 'TIER_10K',
      event: 'UPGRADE',
      phoneNumberId: testAccount.phoneNumberId,
      qualityScore: 'GREEN',
      time: at(1),
    })
    expect(await account('main')).toMatchObject({
      qualityEvent: 'UPGRADE',
      qualityRating: 'GREEN',
      reportedMessagingLimit: 'TIER_10K',
    })
    expect((await campaignDoc(app.payload, campaign.id)).status).toBe('running')

    await flip('webhooks/quality-update', {
      currentLimit: 'TIER_2K',
      event: 'DOWNGRADE',
      phoneNumberId: testAccount.phoneNumberId,
      time: at(2),
    })
    await expectHeld(campaign, ['messaging limit', 'TIER_2K', 'DOWNGRADE'])
    expect(await account('main')).toMatchObject({ reportedMessagingLimit: 'TIER_2K' })
    await resumeCampaign(app.payload, campaign.id)
    await expectCompletedOnce([campaign])
  })
})

describe('reordered signals', () => {
  test('an older "all clear" arriving after a newer stop changes nothing; a newer one applies', async () => {
    // Quality: FLAGGED now, then an UNFLAGGED stamped a minute earlier.
    await flip('webhooks/quality-update', {
      event: 'FLAGGED',
      phoneNumberId: sameWaba.phoneNumberId,
      time: at(10),
    })
    await flip('webhooks/quality-update', {
      event: 'UNFLAGGED',
      phoneNumberId: sameWaba.phoneNumberId,
      time: at(-50),
    })
    expect(await account('sibling')).toMatchObject({
      qualityEvent: 'FLAGGED',
      qualityRating: 'RED',
    })
    await flip('webhooks/quality-update', {
      event: 'UNFLAGGED',
      phoneNumberId: sameWaba.phoneNumberId,
      time: at(20),
    })
    expect(await account('sibling')).toMatchObject({
      qualityEvent: 'UNFLAGGED',
      qualityRating: 'UNKNOWN',
    })

    // Template: PAUSED now, then an APPROVED stamped earlier: Resume stays refused.
    const campaign = await campaignOf(30, { number: 'other' })
    await runCampaign(app.payload, campaign.id)
    await waitForAccepted(otherWaba.phoneNumberId, 3)
    const templateStatus = (event: string, time: number) =>
      flip('webhooks/template-status', {
        event,
        templateName: 'hello_world',
        time,
        wabaId: otherWaba.wabaId,
      })
    await templateStatus('PAUSED', at(10))
    await expectHeld(campaign, ['paused the template "hello_world"'])
    await templateStatus('APPROVED', at(-50))
    const template = await app.payload.findByID({
      id: numbers.other.templates.hello_world,
      collection: 'whatsapp-templates',
      depth: 0,
    })
    expect(template.status).toBe('PAUSED')
    await expect(resumeCampaign(app.payload, campaign.id)).rejects.toThrow('PAUSED')
    await templateStatus('APPROVED', at(20))
    await resumeCampaign(app.payload, campaign.id)
    await expectCompletedOnce([campaign])
  })

  test('an older restriction lift does not resume what a newer restriction paused', async () => {
    const campaign = await campaignOf(30, { number: 'other' })
    await runCampaign(app.payload, campaign.id)
    await waitForAccepted(otherWaba.phoneNumberId, 3)
    const restrict = (restrictions: Array<{ expiration?: string; type: string }>, time: number) =>
      flip('webhooks/account-update', {
        event: 'ACCOUNT_RESTRICTION',
        restrictions,
        time,
        wabaId: otherWaba.wabaId,
      })
    await restrict(
      [{ type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: inAnHour().toISOString() }],
      at(100),
    )
    await expectHeld(campaign, ['restricted', 'RESTRICTED_BIZ_INITIATED_MESSAGING'])
    // An ACCOUNT_RESTRICTION without restrictions lifts them, but this one is older.
    await restrict([], at(50))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect((await campaignDoc(app.payload, campaign.id)).status).toBe('paused')
    expect((await account('other')).restriction).toBe('RESTRICTED_BIZ_INITIATED_MESSAGING')
    // A newer lift resumes it on its own.
    await restrict([], at(150))
    await expectCompletedOnce([campaign])
    expect((await account('other')).restriction ?? null).toBeNull()
  })
})

describe('account_update', () => {
  test('a restriction pauses every running and scheduled campaign of the business until it expires, then they go on by themselves', async () => {
    const main = await campaignOf(30)
    const sibling = await campaignOf(30, { number: 'sibling' })
    const scheduled = await campaignOf(5, { scheduledAt: inAnHour() })
    const elsewhere = await campaignOf(10, { number: 'other' })
    await runCampaign(app.payload, scheduled.id)
    for (const campaign of [main, sibling, elsewhere]) {
      await runCampaign(app.payload, campaign.id)
    }
    await waitForAccepted(testAccount.phoneNumberId, 3)
    const expiresAt = new Date(Date.now() + 6000)
    await flip('webhooks/account-update', {
      event: 'ACCOUNT_RESTRICTION',
      restrictions: [
        { type: 'RESTRICTED_BIZ_INITIATED_MESSAGING', expiration: expiresAt.toISOString() },
        { type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION', expiration: expiresAt.toISOString() },
      ],
      time: at(200),
      wabaId: testAccount.wabaId,
    })
    for (const campaign of [main, sibling, scheduled]) {
      const doc = await expectHeld(campaign, ['restricted', 'resume on their own'])
      expect(doc.resumeAt).toBeTruthy()
    }
    for (const number of ['main', 'sibling'] as const) {
      expect((await account(number)).restrictedUntil).toBeTruthy()
    }
    // Resume refuses while the restriction lasts, unless forced.
    await expect(resumeCampaign(app.payload, main.id)).rejects.toThrow('restricted')
    const refused = await app.api('POST', `/whatsapp-campaigns/${sibling.id}/resume`, {
      token: editor,
    })
    expect(refused.status).toBe(409)
    expect(String(refused.body.error)).toContain('force')
    const forced = await app.api('POST', `/whatsapp-campaigns/${sibling.id}/resume`, {
      body: { force: true },
      token: editor,
    })
    expect(forced.status).toBe(200)
    await expectCompletedOnce([elsewhere, sibling])

    // At the expiry the running one resumes; the scheduled one waits for its start again.
    await expectCompletedOnce([main])
    const back = await waitForStatus(app.payload, scheduled.id, ['scheduled'])
    expect(back.error ?? null).toBeNull()
    expect(app.simulator.countsByRecipient().get(scheduled.phones[0])).toBeUndefined()
  })

  test('a ban pauses the business’s campaigns until a manual Resume after Meta reinstates it', async () => {
    const campaign = await campaignOf(30, { number: 'other' })
    await runCampaign(app.payload, campaign.id)
    await waitForAccepted(otherWaba.phoneNumberId, 3)
    await flip('webhooks/account-update', {
      banState: 'DISABLE',
      event: 'DISABLED_UPDATE',
      time: at(300),
      wabaId: otherWaba.wabaId,
    })
    await expectHeld(campaign, ['disabled', 'DISABLE'])
    await expect(resumeCampaign(app.payload, campaign.id)).rejects.toThrow('disabled')
    await flip('webhooks/account-update', {
      banState: 'REINSTATE',
      event: 'DISABLED_UPDATE',
      time: at(301),
      wabaId: otherWaba.wabaId,
    })
    expect((await campaignDoc(app.payload, campaign.id)).status).toBe('paused')
    await resumeCampaign(app.payload, campaign.id)
    await expectCompletedOnce([campaign])
  })
})

describe('template_category_update', () => {
  test('UTILITY → MARKETING mid-run: the template and its campaigns show it, and recipients not yet sent skip marketing opt-outs', async () => {
    // 60 recipients at 10/s: the first batch (50) is claimed before the change, the rest after.
    const running = await campaignOf(60, { number: 'sibling' })
    const scheduled = await campaignOf(3, { number: 'sibling', scheduledAt: inAnHour() })
    const optedOut = running.phones.slice(55)
    await app.payload.update({
      collection: 'whatsapp-contacts',
      data: {
        marketingOptOut: true,
        marketingOptOutAt: new Date().toISOString(),
        marketingOptOutVia: 'user_preferences',
      },
      where: { normalizedPhone: { in: optedOut } },
    })
    await runCampaign(app.payload, scheduled.id)
    await runCampaign(app.payload, running.id)
    await waitForAccepted(sameWaba.phoneNumberId, 3)
    await flip('webhooks/category-update', {
      newCategory: 'MARKETING',
      templateName: 'hello_world',
      time: at(400),
      wabaId: sameWaba.wabaId,
    })
    const template = await app.payload.findByID({
      id: numbers.sibling.templates.hello_world,
      collection: 'whatsapp-templates',
      depth: 0,
    })
    expect(template).toMatchObject({ category: 'MARKETING', previousCategory: 'UTILITY' })
    expect(template.categoryUpdatedAt).toBeTruthy()

    await waitForStatus(app.payload, running.id, ['completed'])
    const { counts, doc, recipients } = await expectCountersMatchRecipients(app.payload, running.id)
    expect(doc.categoryChanged).toContain('from UTILITY to MARKETING')
    expect(counts.failed).toBe(optedOut.length)
    const sentTo = app.simulator.countsByRecipient()
    expect(optedOut.filter((p) => sentTo.has(p))).toEqual([])
    expect(running.phones.slice(0, 55).filter((p) => sentTo.get(p) !== 1)).toEqual([])
    for (const r of recipients.filter((r) => optedOut.includes(String(r.phoneNumber)))) {
      expect(r.errorMessage).toContain('stopped marketing')
    }
    // The scheduled campaign is flagged too, and the analytics endpoint says so.
    const { body } = await app.api('GET', `/whatsapp-campaigns/${scheduled.id}/analytics`, {
      token: editor,
    })
    expect(String(body.categoryChanged)).toContain('MARKETING')

    // Back to UTILITY for the other tests of this number.
    await flip('webhooks/category-update', {
      newCategory: 'UTILITY',
      templateName: 'hello_world',
      time: at(401),
      wabaId: sameWaba.wabaId,
    })
    await app.api('POST', `/whatsapp-campaigns/${scheduled.id}/cancel`, { token: editor })
  })
})

describe('scheduled campaigns are held by every stop', () => {
  test('an account error and a template PAUSED webhook pause the scheduled campaigns in their scope, not the others', async () => {
    const running = await campaignOf(30)
    const scheduledSameNumber = await campaignOf(3, { scheduledAt: inAnHour() })
    const scheduledSibling = await campaignOf(3, { number: 'sibling', scheduledAt: inAnHour() })
    for (const campaign of [scheduledSameNumber, scheduledSibling, running]) {
      await runCampaign(app.payload, campaign.id)
    }
    await waitForAccepted(testAccount.phoneNumberId, 3)
    await flip('errors', { errorCodesByNumber: { [testAccount.phoneNumberId]: 368 } })
    await expectHeld(running, ['368'])
    const held = await expectHeld(scheduledSameNumber, ['368'])
    expect(held.scheduledAt).toBeTruthy()
    expect((await campaignDoc(app.payload, scheduledSibling.id)).status).toBe('scheduled')

    // The template webhook holds the scheduled campaign of the other number using it.
    await flip('webhooks/template-status', {
      event: 'PAUSED',
      templateName: 'hello_world',
      time: at(500),
      wabaId: testAccount.wabaId,
    })
    await expectHeld(scheduledSibling, ['paused the template "hello_world"'])
    await flip('webhooks/template-status', {
      event: 'APPROVED',
      templateName: 'hello_world',
      time: at(501),
      wabaId: testAccount.wabaId,
    })
    await flip('errors', { errorCodesByNumber: {} })
    for (const campaign of [running, scheduledSameNumber, scheduledSibling]) {
      await resumeCampaign(app.payload, campaign.id)
    }
    await expectCompletedOnce([running, scheduledSameNumber, scheduledSibling])
  })
})

describe('the simulator’s error switches over HTTP', () => {
  test('errorCodesByNumber set over HTTP stops the number; cleared over HTTP, Resume sends each once', async () => {
    const campaign = await campaignOf(30)
    await runCampaign(app.payload, campaign.id)
    await waitForAccepted(testAccount.phoneNumberId, 3)
    const set = await flip('errors', {
      errorCodesByNumber: { [testAccount.phoneNumberId]: 131048 },
    })
    expect(set.errorCodesByNumber).toEqual({ [testAccount.phoneNumberId]: 131048 })
    await expectHeld(campaign, ['131048'])
    await flip('errors', { errorCodesByNumber: {} })
    await resumeCampaign(app.payload, campaign.id)
    await expectCompletedOnce([campaign])
  })

  test('bad switch requests are refused with the reason', async () => {
    const post = (path: string, body: string) =>
      fetch(`${app.simulator.url}/simulator/${path}`, { body, method: 'POST' })
    expect((await post('errors', '{"errorCodesByNumber": {"1": "x"}}')).status).toBe(400)
    const missing = await post('webhooks/quality-update', '{"event": "FLAGGED"}')
    expect(missing.status).toBe(400)
    expect(await missing.text()).toContain('phoneNumberId')
    expect((await post('webhooks/nothing', '{}')).status).toBe(404)
  })
})
