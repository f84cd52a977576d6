import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest'

import { demoTemplates } from '../../dev/simulator/index.js'
import { resumeCampaign, runCampaign } from '../../src/index.js'
import { getStore } from '../../src/store/index.js'
import { createContacts } from '../helpers/contacts.js'
import {
  createAccount,
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
  waitForWebhooksApplied,
} from '../helpers/fixtures.js'
import { bootWithSimulator, type SimulatedApp } from '../helpers/simulatorApp.js'
import { createDemoTemplates } from '../helpers/templates.js'

/** A second number, on a business of its own: Meta's signals about the first must not touch it. */
const otherAccount = {
  accessToken: 'other-access-token',
  appSecret: 'other-app-secret',
  displayPhoneNumber: '15550008888',
  phoneNumberId: '100000000000778',
  wabaId: '200000000000778',
}

let app: SimulatedApp
let accountId: number | string
let templates: Record<string, number | string>
let otherId: number | string
let otherTemplates: Record<string, number | string>

beforeAll(async () => {
  app = await bootWithSimulator(
    'guardrails',
    { errorBreaker: { maxFailureRate: 0.3, window: 20 }, queue: false },
    {
      accounts: [testAccount, otherAccount],
      templates: { [otherAccount.wabaId]: demoTemplates, [testAccount.wabaId]: demoTemplates },
    },
  )
  accountId = (await createAccount(app.payload, { messagesPerSecond: 10 })).id
  templates = await createDemoTemplates(app.payload, accountId)
  otherId = (
    await app.payload.create({
      collection: 'whatsapp-accounts',
      data: {
        name: 'Other number',
        accessTokenInput: otherAccount.accessToken,
        appSecretInput: otherAccount.appSecret,
        messagesPerSecond: 10,
        phoneNumberId: otherAccount.phoneNumberId,
        verifyToken: 'other-verify-token',
        wabaId: otherAccount.wabaId,
      },
    })
  ).id
  otherTemplates = await createDemoTemplates(app.payload, otherId)
})
// A failed test must not leave its injected errors to the next one.
afterEach(() => {
  app.simulator.configure({
    errorCodesByNumber: {},
    errorCodesByPhone: {},
    errorCodesByTemplate: {},
  })
})
afterAll(async () => {
  await app?.close()
})

let nextContact = 0

/** Creates `n` contacts labelled for one campaign, and the campaign; does not run it. */
const campaignOf = async (
  n: number,
  {
    account = accountId,
    template = 'hello_world',
  }: { account?: number | string; template?: 'hello_world' | 'welcome_named' } = {},
) => {
  const label = `g${nextContact}`
  const phones = await createContacts(app.payload, account, n, { first: nextContact, label })
  nextContact += n
  const ids = account === accountId ? templates : otherTemplates
  const campaign = await createCampaign(app.payload, {
    account,
    audienceFilters: { labels: { contains: label } },
    audienceType: 'contacts',
    ...(template === 'welcome_named' ? { parameterMappings: { first_name: 'name' } } : {}),
    template: ids[template],
  })
  return { id: campaign.id, phones }
}

type TestCampaign = Awaited<ReturnType<typeof campaignOf>>

const acceptedFrom = (phoneNumberId: string) =>
  app.simulator.sent.filter((m) => m.phoneNumberId === phoneNumberId).length

/** Waits until the simulator accepted `count` more sends from the number than it had before. */
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

let testStartedAt = 0
beforeEach(() => {
  testStartedAt = Date.now()
})

/** Runs the campaigns at once and waits until the first number is busy sending. */
const runTogether = async (campaigns: TestCampaign[]) => {
  for (const campaign of campaigns) {
    await runCampaign(app.payload, campaign.id)
  }
  await waitForAccepted(testAccount.phoneNumberId, 4)
}

/** Requests Meta answered with `code` for the number during this test: the sends a stop wasted. */
const refusedWith = (code: number) =>
  app.simulator.requests.filter(
    (r) =>
      r.errorCode === code &&
      r.phoneNumberId === testAccount.phoneNumberId &&
      r.at >= testStartedAt,
  )

const expectEachSentOnce = (campaigns: TestCampaign[]) => {
  const counts = app.simulator.countsByRecipient()
  for (const { phones } of campaigns) {
    expect(phones.filter((p) => counts.get(p) !== 1)).toEqual([])
  }
}

/** Paused with the error shown, nothing failed, the unsent left pending; counters exact. */
const expectPausedLeavingPending = async (campaign: TestCampaign, errorParts: string[]) => {
  const doc = await waitForStatus(app.payload, campaign.id, ['paused'])
  for (const part of errorParts) {
    expect(doc.error).toContain(part)
  }
  // A campaign paused by another's error gives back its claimed recipients within a second.
  await settled(campaign)
  const { counts } = await expectCountersMatchRecipients(app.payload, campaign.id)
  expect(counts).toMatchObject({ failed: 0, sending: 0 })
  expect(counts.pending).toBeGreaterThan(0)
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

const resumeToCompletion = async (campaigns: TestCampaign[]) => {
  for (const campaign of campaigns) {
    await resumeCampaign(app.payload, campaign.id)
  }
  for (const campaign of campaigns) {
    await waitForStatus(app.payload, campaign.id, ['completed'])
    const { counts, doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(counts.failed).toBe(0)
    expect(doc.error ?? null).toBeNull()
  }
  expectEachSentOnce(campaigns)
}

describe('Meta stopped the account or number', () => {
  test.each([368, 131048, 131031, 190, 132001])(
    '%i pauses every running campaign of the account, spends at most a few sends, and Resume sends each recipient once',
    async (code) => {
      const first = await campaignOf(20)
      const second = await campaignOf(20, { template: 'welcome_named' })
      const elsewhere = await campaignOf(20, { account: otherId })
      await runTogether([first, second, elsewhere])
      app.simulator.configure({ errorCodesByNumber: { [testAccount.phoneNumberId]: code } })

      await expectPausedLeavingPending(first, [String(code), 'Resume'])
      await expectPausedLeavingPending(second, [String(code), 'Resume'])
      // One refused send per campaign, plus at most one more each already on its way.
      expect(refusedWith(code).length).toBeGreaterThanOrEqual(1)
      expect(refusedWith(code).length).toBeLessThanOrEqual(4)
      await waitForStatus(app.payload, elsewhere.id, ['completed'])
      await expectCountersMatchRecipients(app.payload, elsewhere.id)

      app.simulator.configure({ errorCodesByNumber: {} })
      await resumeToCompletion([first, second])
      expectEachSentOnce([elsewhere])
    },
  )

  test('a second running campaign on the number pauses too, though none of its own sends was refused', async () => {
    const first = await campaignOf(5)
    const second = await campaignOf(40)
    // Only the first campaign's recipients are answered 368: the second never sees it.
    app.simulator.configure({
      errorCodesByPhone: Object.fromEntries(first.phones.map((p) => [p, 368])),
    })
    await runCampaign(app.payload, second.id)
    await waitForAccepted(testAccount.phoneNumberId, 4)
    await runCampaign(app.payload, first.id)

    await expectPausedLeavingPending(first, ['368'])
    await expectPausedLeavingPending(second, ['368'])
    const secondPhones = new Set(second.phones)
    expect(
      app.simulator.requests.filter((r) => r.errorCode && secondPhones.has(String(r.to))),
    ).toEqual([])
    // The refused recipient went back to pending, not failed: Resume sends it once.
    app.simulator.configure({ errorCodesByPhone: {} })
    await resumeToCompletion([first, second])
  })
})

describe('Meta stopped the template', () => {
  test.each([132015, 132016])(
    '%i pauses the running campaigns using that template, not the others',
    async (code) => {
      const first = await campaignOf(20)
      const second = await campaignOf(20)
      const otherTemplate = await campaignOf(20, { template: 'welcome_named' })
      await runTogether([first, second, otherTemplate])
      app.simulator.configure({ errorCodesByTemplate: { hello_world: code } })

      await expectPausedLeavingPending(first, [String(code), 'template', 'Resume'])
      await expectPausedLeavingPending(second, [String(code), 'template'])
      expect(refusedWith(code).length).toBeLessThanOrEqual(4)
      await waitForStatus(app.payload, otherTemplate.id, ['completed'])
      await expectCountersMatchRecipients(app.payload, otherTemplate.id)

      app.simulator.configure({ errorCodesByTemplate: {} })
      await resumeToCompletion([first, second])
    },
  )

  test("a PAUSED template status webhook pauses its running campaigns; Resume waits for Meta's approval", async () => {
    const using = await campaignOf(30)
    const otherTemplate = await campaignOf(20, { template: 'welcome_named' })
    const elsewhere = await campaignOf(20, { account: otherId })
    await runTogether([using, otherTemplate, elsewhere])
    const templateStatus = (event: string) =>
      app.simulator.sendTemplateStatusUpdate({
        event,
        language: 'en_US',
        reason: event === 'PAUSED' ? 'LOW_QUALITY' : undefined,
        templateName: 'hello_world',
        wabaId: testAccount.wabaId,
      })
    templateStatus('PAUSED')
    // The webhook alone must stop it: sends of the template keep being accepted meanwhile.
    app.simulator.configure({
      templates: { [otherAccount.wabaId]: demoTemplates, [testAccount.wabaId]: demoTemplates },
    })
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)

    await expectPausedLeavingPending(using, ['paused the template "hello_world"', 'LOW_QUALITY'])
    expect(refusedWith(132015)).toHaveLength(0)
    await waitForStatus(app.payload, otherTemplate.id, ['completed'])
    await waitForStatus(app.payload, elsewhere.id, ['completed'])
    for (const campaign of [otherTemplate, elsewhere]) {
      await expectCountersMatchRecipients(app.payload, campaign.id)
    }

    // Preflight refuses while the template is paused, then Meta approves it again.
    await expect(resumeCampaign(app.payload, using.id)).rejects.toThrow('PAUSED')
    templateStatus('APPROVED')
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    await resumeToCompletion([using])
  })
})

describe('the error-rate breaker', () => {
  test('pauses a campaign when more than the allowed share of its last sends failed, with the top error', async () => {
    const campaign = await campaignOf(60)
    // Three in five recipients are undeliverable: 60% failures, the limit is 30% of 20.
    app.simulator.configure({
      errorCodesByPhone: Object.fromEntries(
        campaign.phones.filter((_, i) => i % 5 < 3).map((p) => [p, 131026]),
      ),
    })
    await runCampaign(app.payload, campaign.id, { wait: true })
    const doc = await waitForStatus(app.payload, campaign.id, ['paused'])
    expect(doc.error).toMatch(/of the last 20 sends failed \(more than 30%\)/)
    expect(doc.error).toContain('131026')
    const { counts } = await expectCountersMatchRecipients(app.payload, campaign.id)
    // It stopped after about 20 sends, leaving the rest pending.
    expect(counts.pending).toBeGreaterThanOrEqual(30)
    expect(counts.failed).toBeGreaterThanOrEqual(7)

    // Resume carries on (the breaker's window starts afresh); the undeliverable stay failed.
    app.simulator.configure({ errorCodesByPhone: {} })
    await resumeCampaign(app.payload, campaign.id)
    await waitForStatus(app.payload, campaign.id, ['completed'])
    const after = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(after.counts.pending).toBe(0)
    expect(after.counts.failed).toBe(counts.failed)
    const sentTo = app.simulator.countsByRecipient()
    expect(campaign.phones.filter((p) => (sentTo.get(p) ?? 0) > 1)).toEqual([])
  })

  test('does not trip at or below the allowed share', async () => {
    const campaign = await campaignOf(60)
    // One in five fails: 20%, under the 30% limit in every window of 20.
    app.simulator.configure({
      errorCodesByPhone: Object.fromEntries(
        campaign.phones.filter((_, i) => i % 5 === 0).map((p) => [p, 131026]),
      ),
    })
    await runCampaign(app.payload, campaign.id, { wait: true })
    app.simulator.configure({ errorCodesByPhone: {} })
    const { counts, doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc.status).toBe('completed')
    expect(counts.failed).toBe(12)
  })
})
