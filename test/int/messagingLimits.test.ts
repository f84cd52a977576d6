/**
 * Meta's messaging limit: unique recipients per business portfolio in a moving 24 hours, shared
 * by its numbers. Over real HTTP against the simulator, with the engine's clock moved by the test.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { NamedAudience } from '../../src/index.js'

import { demoTemplates } from '../../dev/simulator/index.js'
import { stopCampaignQueue, wakeWaitingCampaigns } from '../../src/index.js'
import { messagingWindowMs } from '../../src/sending/messagingLimit.js'
import { getStore } from '../../src/store/index.js'
import { bootPayload, type TestApp, testDatabaseUri } from '../helpers/bootPayload.js'
import {
  campaignDoc,
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
} from '../helpers/fixtures.js'
import { bootWithSimulator, type SimulatedApp } from '../helpers/simulatorApp.js'
import { createDemoTemplates } from '../helpers/templates.js'

/** A second number of the same business portfolio, on a WABA of its own. */
const secondNumber = {
  accessToken: 'second-access-token',
  appSecret: 'second-app-secret',
  businessId: '300000000000777',
  displayPhoneNumber: '15550008888',
  messagingLimit: 'TIER_250',
  phoneNumberId: '100000000000778',
  wabaId: '200000000000778',
}
const firstNumber = {
  ...testAccount,
  businessId: secondNumber.businessId,
  messagingLimit: 'TIER_250',
}

const phone = (i: number) => `9198${String(i).padStart(8, '0')}`

/**
 * A named audience whose campaign's name says which phones it holds: "range 0 1000" is
 * phone(0) to phone(999).
 */
const rangeAudience: NamedAudience = {
  resolve: ({ campaign }) => {
    const [, from, to] = String(campaign.name).split(' ').map(Number)
    return Promise.resolve(
      Array.from({ length: to - from }, (_, i) => ({
        name: `P${from + i}`,
        phone: phone(from + i),
      })),
    )
  },
}

/** The engine's clock: real time moved on by the test. */
let offsetMs = 0
const clock = () => new Date(Date.now() + offsetMs)

const pluginOptions = { audiences: { range: rangeAudience }, clock }

const accountData = (number: typeof secondNumber, fields: Record<string, unknown> = {}) => ({
  name: `Number ${number.phoneNumberId}`,
  accessTokenInput: number.accessToken,
  appSecretInput: number.appSecret,
  messagesPerSecond: 200,
  phoneNumberId: number.phoneNumberId,
  verifyToken: 'limits-verify-token',
  wabaId: number.wabaId,
  ...fields,
})

/** Polls until the campaign is waiting with a resume time other than `previous`, or ends. */
const waitForWaitOrEnd = async (app: TestApp, id: number | string, previous?: string) => {
  const deadline = Date.now() + 40_000
  for (;;) {
    const doc = await campaignDoc(app.payload, id)
    const until = doc.waitingUntil ? String(doc.waitingUntil) : undefined
    if ((until && until !== previous) || ['completed', 'failed', 'paused'].includes(doc.status)) {
      return doc
    }
    if (Date.now() > deadline) {
      throw new Error(`campaign ${id} neither waited nor ended: ${doc.status}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('messaging limits', () => {
  let app: SimulatedApp
  let editor: string
  let accountId: number | string
  let templates: Record<string, number | string>

  beforeAll(async () => {
    app = await bootWithSimulator(
      'limits',
      { ...pluginOptions, queue: false },
      {
        accounts: [firstNumber, secondNumber],
        templates: { [firstNumber.wabaId]: demoTemplates, [secondNumber.wabaId]: demoTemplates },
      },
    )
    editor = await app.login()
    accountId = (
      await app.payload.create({ collection: 'whatsapp-accounts', data: accountData(firstNumber) })
    ).id
    templates = await createDemoTemplates(app.payload, accountId)
  })
  afterAll(async () => {
    await app?.close()
  })

  test('Sync reads the tier and the business portfolio from Meta', async () => {
    const sync = await app.api('POST', '/whatsapp-templates/sync', {
      body: { account: accountId },
      token: editor,
    })
    expect(sync.status).toBe(200)
    expect(sync.body).toMatchObject({ limitErrors: [], limitsSynced: 1 })
    const { body: account } = await app.api('GET', `/whatsapp-accounts/${accountId}`, {
      token: editor,
    })
    expect(account).toMatchObject({
      messagingLimit: 'TIER_250',
      portfolioId: secondNumber.businessId,
    })
    expect(typeof account.messagingLimitSyncedAt).toBe('string')
  })

  test('1,000 recipients on a 250 tier: 250 per window, waiting in between, each sent once', async () => {
    const startedSends = app.simulator.sent.length
    const campaign = await createCampaign(app.payload, {
      name: 'range 0 1000',
      account: accountId,
      audienceType: 'range',
      template: templates.hello_world,
    })

    // The Run confirmation: 250 now, the rest as the window moves, over 4 days.
    const summary = await app.api('GET', `/whatsapp-campaigns/${campaign.id}/audience`, {
      token: editor,
    })
    expect(summary.body).toMatchObject({
      audienceSize: 1000,
      pace: {
        days: 4,
        limit: 250,
        messagesPerSecond: 200,
        messagingLimit: 'TIER_250',
        now: 250,
        sendSeconds: 5,
      },
    })
    const restFrom = Date.parse(String((summary.body.pace as { restFrom: string }).restFrom))
    expect(Math.abs(restFrom - (clock().getTime() + messagingWindowMs))).toBeLessThan(10_000)

    expect(
      (await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, { token: editor })).status,
    ).toBe(200)
    let waiting: string | undefined
    for (let window = 1; window <= 4; window++) {
      const doc = await waitForWaitOrEnd(app, campaign.id, waiting)
      const sent = app.simulator.sent.slice(startedSends)
      expect(sent).toHaveLength(250 * window)
      if (window === 4) {
        expect(doc.status).toBe('completed')
        break
      }
      // The window is full: running, nothing failed or burnt, and the resume time shown.
      expect(doc.status).toBe('running')
      waiting = String(doc.waitingUntil)
      const { body: live } = await app.api('GET', `/whatsapp-campaigns/${campaign.id}/analytics`, {
        token: editor,
      })
      expect(live).toMatchObject({
        counts: { failed: 0, pending: 1000 - 250 * window, sent: 250 * window },
        status: 'running',
        statusDetail: `waiting for messaging limit — resumes at ${new Date(waiting).toISOString().slice(11, 16)} UTC (${new Date(waiting).toISOString().slice(0, 10)})`,
        waitingUntil: new Date(waiting).toISOString(),
      })
      // It resumes when the first recipient of the window leaves it, a day (and a margin) on.
      const firstSent = Math.min(...sent.slice(250 * (window - 1)).map((m) => m.receivedAt))
      expect(Date.parse(waiting) - offsetMs - firstSent).toBeGreaterThan(messagingWindowMs - 5000)
      expect(Date.parse(waiting) - offsetMs - firstSent).toBeLessThan(messagingWindowMs + 1000)
      // Woken before then, it sends nothing and waits again for the same time.
      expect(await wakeWaitingCampaigns(app.payload)).toEqual([String(campaign.id)])
      await new Promise((resolve) => setTimeout(resolve, 1000))
      expect(String((await waitForWaitOrEnd(app, campaign.id)).waitingUntil)).toBe(waiting)
      expect(app.simulator.sent.length - startedSends).toBe(250 * window)

      offsetMs = Date.parse(waiting) - Date.now() + 1000
      expect(await wakeWaitingCampaigns(app.payload)).toEqual([String(campaign.id)])
    }

    const counts = app.simulator.countsByRecipient(firstNumber.phoneNumberId)
    const phones = Array.from({ length: 1000 }, (_, i) => phone(i))
    expect(phones.filter((p) => counts.get(p) !== 1)).toEqual([])
    await expectCountersMatchRecipients(app.payload, campaign.id)
  }, 150_000)
})

describe('room given back', () => {
  test('a campaign Meta refuses sends nothing and keeps no room in the window', async () => {
    const app = await bootWithSimulator(
      'limits_refused',
      { ...pluginOptions, queue: false },
      {
        accounts: [secondNumber],
        errorCodesByNumber: { [secondNumber.phoneNumberId]: 368 },
        templates: { [secondNumber.wabaId]: demoTemplates },
      },
    )
    try {
      const account = await app.payload.create({
        collection: 'whatsapp-accounts',
        data: accountData(secondNumber, {
          messagingLimit: 'TIER_250',
          portfolioId: 'refused-portfolio',
        }),
      })
      const ids = await createDemoTemplates(app.payload, account.id)
      const campaign = await createCampaign(app.payload, {
        name: 'range 0 100',
        account: account.id,
        audienceType: 'range',
        template: ids.hello_world,
      })
      expect(
        (
          await app.api('POST', `/whatsapp-campaigns/${campaign.id}/run`, {
            token: await app.login(),
          })
        ).status,
      ).toBe(200)
      const paused = await waitForStatus(app.payload, campaign.id, ['paused'])
      expect(String(paused.error)).toContain('368')
      expect(app.simulator.sent).toHaveLength(0)
      // The batch took room before Meta refused it; unsent, the room went back.
      const usage = await getStore(app.payload).limitUsage('portfolio:refused-portfolio', {
        limit: 250,
        now: clock(),
        windowMs: messagingWindowMs,
      })
      expect(usage.used).toBe(0)
      await expectCountersMatchRecipients(app.payload, campaign.id)
    } finally {
      await app.close()
    }
  })
})

describe('two workers, two numbers of one portfolio', () => {
  test('two campaigns at once never reach more unique recipients than the tier, then wait', async () => {
    const databaseUri = testDatabaseUri('limits_workers')
    const { startCloudApiSimulator } = await import('../../dev/simulator/index.js')
    const simulator = await startCloudApiSimulator({
      accounts: [firstNumber, secondNumber],
      templates: { [firstNumber.wabaId]: demoTemplates, [secondNumber.wabaId]: demoTemplates },
    })
    const options = {
      ...pluginOptions,
      graphApiUrl: simulator.url,
      queue: { processEveryMs: 200 },
    }
    const a = await bootPayload('limits_workers_a', { databaseUri, pluginOptions: options })
    const b = await bootPayload('limits_workers_b', { databaseUri, pluginOptions: options })
    try {
      // Set in the admin: both numbers in one portfolio at tier 250.
      const shared = { messagingLimit: 'TIER_250', portfolioId: 'shared-portfolio' }
      const campaigns = []
      // Phones 100..199 are in both audiences: messaged by both numbers, counted once.
      for (const [number, range] of [
        [firstNumber, 'range 0 200'],
        [secondNumber, 'range 100 300'],
      ] as const) {
        const account = await a.payload.create({
          collection: 'whatsapp-accounts',
          data: accountData(number, shared),
        })
        const ids = await createDemoTemplates(a.payload, account.id)
        campaigns.push(
          await createCampaign(a.payload, {
            name: range,
            account: account.id,
            audienceType: 'range',
            template: ids.hello_world,
          }),
        )
      }
      const [tokenA, tokenB] = [await a.login(), await b.login('other@example.com')]
      const runs = await Promise.all([
        a.api('POST', `/whatsapp-campaigns/${campaigns[0].id}/run`, { token: tokenA }),
        b.api('POST', `/whatsapp-campaigns/${campaigns[1].id}/run`, { token: tokenB }),
      ])
      expect(runs.map((r) => r.status)).toEqual([200, 200])
      const docs = []
      for (const campaign of campaigns) {
        docs.push(await waitForWaitOrEnd(a, campaign.id))
      }
      // 300 unique phones wanted: at least one campaign waits for the window.
      expect(docs.some((doc) => doc.status === 'running' && doc.waitingUntil)).toBe(true)
      expect(docs.every((doc) => ['completed', 'running'].includes(doc.status))).toBe(true)

      const unique = new Set(simulator.sent.map((m) => m.to))
      expect(unique.size).toBeLessThanOrEqual(250)
      // Each number messaged each phone at most once.
      for (const number of [firstNumber, secondNumber]) {
        const counts = simulator.countsByRecipient(number.phoneNumberId)
        expect([...counts.values()].filter((n) => n !== 1)).toEqual([])
      }
      const usage = await getStore(a.payload).limitUsage('portfolio:shared-portfolio', {
        limit: 250,
        now: clock(),
        windowMs: messagingWindowMs,
      })
      expect(usage.used).toBeLessThanOrEqual(250)
      expect(usage.used).toBeGreaterThanOrEqual(unique.size)
      for (const campaign of campaigns) {
        await expectCountersMatchRecipients(a.payload, campaign.id)
      }
      const sentByCampaigns = docs.reduce((sum, doc) => sum + Number(doc.sentCount ?? 0), 0)
      expect(sentByCampaigns).toBe(simulator.sent.length)

      // A day on, the waiting campaigns' jobs (rescheduled in the queue) go on where they stopped.
      const until = Math.max(...docs.map((doc) => Date.parse(String(doc.waitingUntil ?? 0))))
      offsetMs = until - Date.now() + 1000
      await wakeWaitingCampaigns(a.payload)
      for (const campaign of campaigns) {
        await waitForStatus(a.payload, campaign.id, ['completed'], 40_000)
        await expectCountersMatchRecipients(a.payload, campaign.id)
      }
      for (const number of [firstNumber, secondNumber]) {
        const counts = simulator.countsByRecipient(number.phoneNumberId)
        expect(counts.size).toBe(200)
        expect([...counts.values()].filter((n) => n !== 1)).toEqual([])
      }
    } finally {
      await stopCampaignQueue(a.payload)
      await stopCampaignQueue(b.payload)
      await b.payload.destroy()
      await a.close()
      await simulator.close()
    }
  })
})
