import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { resumeCampaign, retryCampaign, runCampaign } from '../../src/index.js'
import { createContacts } from '../helpers/contacts.js'
import {
  createAccount,
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
} from '../helpers/fixtures.js'
import { bootWithSimulator, type SimulatedApp } from '../helpers/simulatorApp.js'
import { createDemoTemplates } from '../helpers/templates.js'

let app: SimulatedApp
let accountId: number | string
let templates: Record<string, number | string>

beforeAll(async () => {
  app = await bootWithSimulator('errors', { queue: false })
  accountId = (await createAccount(app.payload, { messagesPerSecond: 100 })).id
  templates = await createDemoTemplates(app.payload, accountId)
})
afterAll(async () => {
  await app?.close()
})

const campaignFor = (label: string) =>
  createCampaign(app.payload, {
    account: accountId,
    audienceFilters: { labels: { contains: label } },
    audienceType: 'contacts',
    template: templates.hello_world,
  })

describe("Meta's errors, classified", () => {
  test('permanent errors fail just that recipient with code and message', async () => {
    const phones = await createContacts(app.payload, accountId, 6, { label: 'perm' })
    app.simulator.configure({ errorCodesByPhone: { [phones[0]]: 131026, [phones[1]]: 131049 } })
    const campaign = await campaignFor('perm')
    await runCampaign(app.payload, campaign.id, { wait: true })
    const { doc, recipients } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc).toMatchObject({ failedCount: 2, sentCount: 4, status: 'completed' })
    const failed = recipients.find((r) => r.phoneNumber === phones[0])
    expect(failed).toMatchObject({ errorCode: 131026, retryable: false, status: 'failed' })
    expect(String(failed?.errorMessage)).not.toBe('')
    app.simulator.configure({ errorCodesByPhone: {} })
  })

  test('HTTP 500s are retried with backoff until they succeed', async () => {
    const phones = await createContacts(app.payload, accountId, 20, { first: 50, label: 'flaky' })
    app.simulator.configure({ http500Rate: 0.3 })
    const campaign = await campaignFor('flaky')
    await runCampaign(app.payload, campaign.id, { wait: true })
    app.simulator.configure({ http500Rate: 0 })
    const counts = app.simulator.countsByRecipient()
    for (const phone of phones) {
      expect(counts.get(phone) ?? 0).toBeLessThanOrEqual(1)
    }
    expect(app.simulator.requests.some((r) => r.status === 500)).toBe(true)
    const { doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
    // Four attempts at 30% failure: a recipient failing all four is rare but possible, and retryable.
    expect(doc.sentCount + doc.failedCount).toBe(20)
    expect(doc.sentCount).toBeGreaterThanOrEqual(18)
  })

  test('throughput errors (130429) slow down and retry; nothing is lost', async () => {
    const phones = await createContacts(app.payload, accountId, 40, { first: 100, label: 'cap' })
    app.simulator.configure({ throughputCap: 15 })
    const campaign = await campaignFor('cap')
    await runCampaign(app.payload, campaign.id, { wait: true })
    app.simulator.configure({ throughputCap: undefined })
    expect(app.simulator.requests.some((r) => r.errorCode === 130429)).toBe(true)
    const counts = app.simulator.countsByRecipient()
    expect(phones.filter((p) => counts.get(p) === 1)).toHaveLength(40)
    await expectCountersMatchRecipients(app.payload, campaign.id)
  })

  test('an expired token (190) pauses the campaign with a clear error; resume after the fix completes it', async () => {
    const phones = await createContacts(app.payload, accountId, 10, { first: 200, label: 'token' })
    app.simulator.configure({
      accounts: [{ ...testAccount, accessToken: 'rotated-token' }],
    })
    const campaign = await campaignFor('token')
    const result = await runCampaign(app.payload, campaign.id, { wait: true })
    expect(result.status).toBe('paused')
    const paused = await app.payload.findByID({ id: campaign.id, collection: 'whatsapp-campaigns' })
    expect(paused.error).toContain('190')
    expect(paused.error).toContain('Resume')
    expect(paused.error).not.toContain('rotated-token')

    await app.payload.update({
      id: accountId,
      collection: 'whatsapp-accounts',
      data: { accessTokenInput: 'rotated-token' },
    })
    await resumeCampaign(app.payload, campaign.id)
    await waitForStatus(app.payload, campaign.id, ['completed'])
    const counts = app.simulator.countsByRecipient()
    expect(phones.filter((p) => counts.get(p) === 1)).toHaveLength(10)
    const { doc } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc.error ?? null).toBeNull()
  })

  test('timeouts are reported as outcome unknown, never resent on their own; retry with unknown resends them', async () => {
    const phones = await createContacts(app.payload, accountId, 3, { first: 300, label: 'slow' })
    const slow = await bootWithSimulator(
      'errors_timeout',
      { graphTimeoutMs: 500, queue: false },
      { timeoutRate: 1 },
    )
    try {
      const account = await createAccount(slow.payload)
      const ids = await createDemoTemplates(slow.payload, account.id)
      for (const phone of phones) {
        await slow.payload.create({
          collection: 'whatsapp-contacts',
          data: { account: account.id, labels: ['slow'], phone: `+${phone}` },
        })
      }
      const campaign = await createCampaign(slow.payload, {
        account: account.id,
        audienceType: 'contacts',
        template: ids.hello_world,
      })
      await runCampaign(slow.payload, campaign.id, { wait: true })
      const { doc } = await expectCountersMatchRecipients(slow.payload, campaign.id)
      expect(doc).toMatchObject({ sentCount: 0, status: 'completed', unknownCount: 3 })

      slow.simulator.configure({ timeoutRate: 0 })
      const retried = await retryCampaign(slow.payload, campaign.id, { unknown: true })
      expect(retried.requeued).toBe(3)
      await waitForStatus(slow.payload, campaign.id, ['completed'])
      const after = await expectCountersMatchRecipients(slow.payload, campaign.id)
      expect(after.doc).toMatchObject({ sentCount: 3, unknownCount: 0 })
    } finally {
      await slow.close()
    }
  })

  test('Retry failed resends only recipients that failed for a temporary reason', async () => {
    const phones = await createContacts(app.payload, accountId, 6, { first: 400, label: 'retry' })
    app.simulator.configure({ errorCodesByPhone: { [phones[0]]: 131026 }, http500Rate: 1 })
    const campaign = await campaignFor('retry')
    await runCampaign(app.payload, campaign.id, { wait: true })
    const first = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(first.doc).toMatchObject({ failedCount: 6, sentCount: 0, status: 'completed' })
    expect(first.recipients.filter((r) => r.retryable === true)).toHaveLength(5)

    app.simulator.configure({ errorCodesByPhone: { [phones[0]]: 131026 }, http500Rate: 0 })
    const retried = await retryCampaign(app.payload, campaign.id)
    expect(retried).toEqual({ requeued: 5, status: 'running' })
    await waitForStatus(app.payload, campaign.id, ['completed'])
    const after = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(after.doc).toMatchObject({ failedCount: 1, sentCount: 5 })
    const counts = app.simulator.countsByRecipient()
    expect(phones.slice(1).every((p) => counts.get(p) === 1)).toBe(true)
    expect(counts.get(phones[0]) ?? 0).toBe(0)
    app.simulator.configure({ errorCodesByPhone: {} })
  })

  test('an account without an access token is refused before anything is sent', async () => {
    const bare = await app.payload.create({
      collection: 'whatsapp-accounts',
      data: { name: 'No token', phoneNumberId: '100000000000888', wabaId: '200000000000888' },
    })
    const template = await app.payload.create({
      collection: 'whatsapp-templates',
      data: {
        name: 'bare_hi',
        account: bare.id,
        components: [{ type: 'BODY', text: 'Hi' }],
        status: 'APPROVED',
      },
    })
    const campaign = await createCampaign(app.payload, {
      account: bare.id,
      audienceType: 'contacts',
      template: template.id,
    })
    await expect(runCampaign(app.payload, campaign.id)).rejects.toThrow('has no access token')
    expect(
      (await app.payload.findByID({ id: campaign.id, collection: 'whatsapp-campaigns' })).status,
    ).toBe('draft')
  })
})
