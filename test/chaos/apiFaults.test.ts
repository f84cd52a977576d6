import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { resumeCampaign, runCampaign } from '../../src/index.js'
import { createContacts } from '../helpers/contacts.js'
import {
  campaignDoc,
  createAccount,
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
} from '../helpers/fixtures.js'
import { bootWithSimulator, type SimulatedApp } from '../helpers/simulatorApp.js'
import { createDemoTemplates } from '../helpers/templates.js'
import { scale } from './scale.js'

let app: SimulatedApp

beforeAll(async () => {
  app = await bootWithSimulator(
    'chaos_faults',
    { graphTimeoutMs: 400, queue: false },
    { http500Rate: 0.05, latencyMs: { max: 40, min: 5 }, timeoutRate: 0.02 },
  )
})
afterAll(async () => {
  await app?.close()
})

const waitForSent = async (count: number) => {
  while (app.simulator.sent.length < count) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('chaos: the Cloud API misbehaving', () => {
  const size = scale(300, 2000)

  test('5% HTTP 500, 2% timeouts, a burst of 130429, then 190 mid-campaign: retried, paused with the error, completed after the fix', async () => {
    const account = await createAccount(app.payload, { messagesPerSecond: 100 })
    const templates = await createDemoTemplates(app.payload, account.id)
    const phones = await createContacts(app.payload, account.id, size, { label: 'faults' })
    const campaign = await createCampaign(app.payload, {
      account: account.id,
      audienceType: 'contacts',
      template: templates.hello_world,
    })
    await runCampaign(app.payload, campaign.id)

    await waitForSent(size / 4)
    // A second of Meta answering 130429 to most sends.
    app.simulator.configure({ throughputCap: 5 })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    app.simulator.configure({ throughputCap: undefined })

    await waitForSent(size / 2)
    app.simulator.configure({ accounts: [{ ...testAccount, accessToken: 'rotated-token' }] })
    await waitForStatus(app.payload, campaign.id, ['paused'], 60_000)
    const paused = await campaignDoc(app.payload, campaign.id)
    expect(paused.error).toContain('190')
    expect(paused.error).not.toContain('rotated-token')

    await app.payload.update({
      id: account.id,
      collection: 'whatsapp-accounts',
      data: { accessTokenInput: 'rotated-token' },
    })
    await resumeCampaign(app.payload, campaign.id)
    await waitForStatus(app.payload, campaign.id, ['completed'], 120_000)

    const counts = app.simulator.countsByRecipient()
    const { doc, recipients } = await expectCountersMatchRecipients(app.payload, campaign.id)
    for (const phone of phones) {
      expect(counts.get(phone) ?? 0, phone).toBeLessThanOrEqual(1)
    }
    for (const r of recipients) {
      const accepted = counts.get(String(r.phoneNumber)) ?? 0
      if (r.status === 'unknown') {
        // Timed out: the simulator never accepted it, and it was not resent on its own.
        expect(accepted).toBe(0)
      } else {
        expect(['sent', 'delivered', 'read'], `${r.phoneNumber}: ${r.errorMessage}`).toContain(
          r.status,
        )
        expect(accepted).toBe(1)
      }
    }
    const throttled = app.simulator.requests.filter((r) => r.errorCode === 130429).length
    expect(throttled).toBeGreaterThan(0)
    expect(app.simulator.requests.filter((r) => r.status === 500).length).toBeGreaterThan(0)
    expect(doc.unknownCount).toBeGreaterThan(0)
    expect(doc.sentCount + doc.unknownCount).toBe(size)
  })
})
