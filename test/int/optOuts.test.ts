import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { retryCampaign, runCampaign } from '../../src/index.js'
import { createContacts } from '../helpers/contacts.js'
import {
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForStatus,
  waitForWebhooksApplied,
} from '../helpers/fixtures.js'
import { postWebhook, statusBody } from '../helpers/signedPost.js'
import {
  bootWithSimulator,
  setUpEditorAccount,
  type SimulatedApp,
} from '../helpers/simulatorApp.js'
import { uploadCsv } from '../helpers/templates.js'

let app: SimulatedApp
let accountId: number | string
let templates: Record<string, number | string>

beforeAll(async () => {
  app = await bootWithSimulator('optouts', {
    collections: {
      audienceFiles: { upload: { staticDir: path.join(os.tmpdir(), `wa-optouts-${process.pid}`) } },
    },
    queue: false,
  })
  ;({ accountId, templates } = await setUpEditorAccount(app))
})
afterAll(async () => {
  await app?.close()
})

const phoneNumberId = testAccount.phoneNumberId

const contactOf = async (phone: string) => {
  const { docs } = await app.payload.find({
    collection: 'whatsapp-contacts',
    depth: 0,
    where: { normalizedPhone: { equals: phone } },
  })
  expect(docs).toHaveLength(1)
  return docs[0]
}

/**
 * Runs a campaign of this template to the label's contacts (or to a CSV file's rows); returns
 * each phone's recipient.
 */
const runTo = async (
  audience: { csvFile: number | string } | string,
  template: 'hello_world' | 'welcome_named',
) => {
  const campaign = await createCampaign(app.payload, {
    account: accountId,
    ...(typeof audience === 'string'
      ? { audienceFilters: { labels: { contains: audience } }, audienceType: 'contacts' }
      : { audienceType: 'csv', csvFile: audience.csvFile }),
    parameterMappings: template === 'welcome_named' ? { first_name: 'name' } : {},
    template: templates[template],
  })
  await runCampaign(app.payload, campaign.id, { wait: true })
  await app.simulator.flushWebhooks()
  await waitForWebhooksApplied(app.payload)
  const { doc, recipients } = await expectCountersMatchRecipients(app.payload, campaign.id)
  expect(doc.status).toBe('completed')
  return {
    byPhone: Object.fromEntries(recipients.map((r) => [String(r.phoneNumber), r])),
    campaign,
  }
}

const sentCount = (phone: string, templateName: string) =>
  app.simulator.sent.filter((m) => m.to === phone && m.templateName === templateName).length

describe('every opt-out, against the Cloud API simulator', () => {
  test('keywords with punctuation and emoji, "Stop promotions", user_preferences: each marks the contact and the next campaigns skip it', async () => {
    const [dot, emoji, button, preference, plain] = await createContacts(
      app.payload,
      accountId,
      5,
      { first: 100, label: 'forms' },
    )
    const before = Date.now()
    app.simulator.sendInboundText({ from: dot, phoneNumberId, text: 'stop.' })
    app.simulator.sendInboundText({ from: emoji, phoneNumberId, text: ' STOP 🙏' })
    app.simulator.sendInboundButton({
      from: button,
      payload: 'Stop promotions',
      phoneNumberId,
      text: 'Stop promotions',
    })
    app.simulator.sendUserPreference({ from: preference, phoneNumberId, value: 'stop' })
    // A stranger's "Arrêt!" creates an opted-out contact, so CSV and named audiences skip it too.
    app.simulator.sendInboundText({ from: '919811100000', phoneNumberId, text: 'Arrêt!' })
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)

    for (const phone of [dot, emoji, '919811100000']) {
      const contact = await contactOf(phone)
      expect(contact).toMatchObject({
        marketingOptOut: false,
        optedOut: true,
        optedOutVia: 'keyword',
      })
      expect(new Date(String(contact.optedOutAt)).getTime()).toBeGreaterThanOrEqual(before - 1000)
    }
    expect(await contactOf(button)).toMatchObject({
      marketingOptOut: true,
      marketingOptOutVia: 'stop_promotions_button',
      optedOut: false,
    })
    expect(await contactOf(preference)).toMatchObject({
      marketingOptOut: true,
      marketingOptOutVia: 'user_preferences',
      optedOut: false,
    })
    expect((await contactOf(preference)).marketingOptOutAt).toBeTruthy()
    expect(await contactOf(plain)).toMatchObject({ marketingOptOut: false, optedOut: false })

    const marketing = await runTo('forms', 'welcome_named')
    expect(marketing.byPhone[plain]).toMatchObject({ status: 'read' })
    // Full opt-outs are left out of a contacts audience; marketing opt-outs fail saying why.
    for (const phone of [dot, emoji]) {
      expect(marketing.byPhone[phone]).toBeUndefined()
      expect(sentCount(phone, 'welcome_named')).toBe(0)
    }
    for (const phone of [button, preference]) {
      expect(marketing.byPhone[phone]).toMatchObject({ status: 'failed' })
      expect(String(marketing.byPhone[phone].errorMessage)).toMatch(/stopped marketing/)
      expect(sentCount(phone, 'welcome_named')).toBe(0)
    }

    // A utility template still reaches marketing-only opt-outs; a full STOP blocks it too.
    const utility = await runTo('forms', 'hello_world')
    for (const phone of [button, preference, plain]) {
      expect(utility.byPhone[phone]).toMatchObject({ status: 'read' })
      expect(sentCount(phone, 'hello_world')).toBe(1)
    }
    for (const phone of [dot, emoji]) {
      expect(utility.byPhone[phone]).toBeUndefined()
      expect(sentCount(phone, 'hello_world')).toBe(0)
    }
  })

  test('user_preferences resume undoes only the marketing opt-out', async () => {
    const [both, marketingOnly] = await createContacts(app.payload, accountId, 2, {
      first: 200,
      label: 'resume',
    })
    app.simulator.sendInboundText({ from: both, phoneNumberId, text: 'Stop!' })
    app.simulator.sendUserPreference({ from: both, phoneNumberId, value: 'stop' })
    app.simulator.sendUserPreference({ from: marketingOnly, phoneNumberId, value: 'stop' })
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    expect(await contactOf(both)).toMatchObject({ marketingOptOut: true, optedOut: true })

    app.simulator.sendUserPreference({ from: both, phoneNumberId, value: 'resume' })
    app.simulator.sendUserPreference({ from: marketingOnly, phoneNumberId, value: 'resume' })
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    expect(await contactOf(both)).toMatchObject({
      marketingOptOut: false,
      optedOut: true,
      optedOutVia: 'keyword',
    })
    expect(await contactOf(marketingOnly)).toMatchObject({
      marketingOptOut: false,
      marketingOptOutAt: null,
      optedOut: false,
    })

    const marketing = await runTo('resume', 'welcome_named')
    expect(marketing.byPhone[marketingOnly]).toMatchObject({ status: 'read' })
    expect(marketing.byPhone[both]).toBeUndefined()
    expect(sentCount(both, 'welcome_named')).toBe(0)
  })

  test('131050 and 131026, answered at send or reported by a status webhook, mark the contact; the next campaign skips it', async () => {
    const [stoppedAtSend, goneAtSend, stoppedLater, goneLater, plain] = await createContacts(
      app.payload,
      accountId,
      5,
      { first: 300, label: 'errors' },
    )
    app.simulator.configure({
      errorCodesByPhone: { [goneAtSend]: 131026, [stoppedAtSend]: 131050 },
    })
    const first = await runTo('errors', 'welcome_named')
    app.simulator.configure({ errorCodesByPhone: {} })
    expect(first.byPhone[stoppedAtSend]).toMatchObject({ errorCode: 131050, status: 'failed' })
    expect(first.byPhone[goneAtSend]).toMatchObject({ errorCode: 131026, status: 'failed' })
    // Meta also reports both after accepting the send, in a failed status.
    const failedLater = (phone: string, code: number) => ({
      id: String(first.byPhone[phone].messageId),
      code,
      status: 'failed',
      to: phone,
    })
    const hook = await postWebhook(
      app.rest.url,
      statusBody(phoneNumberId, [
        failedLater(stoppedLater, 131050),
        failedLater(goneLater, 131026),
      ]),
      { secret: testAccount.appSecret },
    )
    expect(hook.status).toBe(200)
    await expectCountersMatchRecipients(app.payload, first.campaign.id)

    for (const phone of [stoppedAtSend, stoppedLater]) {
      const contact = await contactOf(phone)
      expect(contact).toMatchObject({
        marketingOptOut: true,
        marketingOptOutVia: 'error_131050',
        optedOut: false,
      })
      expect(contact.marketingOptOutAt).toBeTruthy()
    }
    for (const phone of [goneAtSend, goneLater]) {
      const contact = await contactOf(phone)
      expect(contact).toMatchObject({ optedOut: false, undeliverable: true })
      expect(contact.undeliverableAt).toBeTruthy()
    }

    const before = app.simulator.sent.length
    const second = await runTo('errors', 'welcome_named')
    const sentNow = app.simulator.sent.slice(before).map((m) => m.to)
    expect(sentNow).toEqual([plain])
    expect(String(second.byPhone[goneAtSend].errorMessage)).toMatch(/undeliverable/)
    expect(String(second.byPhone[stoppedLater].errorMessage)).toMatch(/stopped marketing/)

    // Marketing opt-outs still get utility templates; undeliverable phones get nothing.
    const utility = await runTo('errors', 'hello_world')
    expect(utility.byPhone[stoppedAtSend]).toMatchObject({ status: 'read' })
    expect(utility.byPhone[goneLater]).toMatchObject({ status: 'failed' })
  })

  test('131049 waits its not-before time: Retry failed resends it only once that time has passed', async () => {
    const [limited, plain] = await createContacts(app.payload, accountId, 2, {
      first: 400,
      label: 'limit',
    })
    app.simulator.configure({ errorCodesByPhone: { [limited]: 131049 } })
    const started = Date.now()
    const { byPhone, campaign } = await runTo('limit', 'welcome_named')
    app.simulator.configure({ errorCodesByPhone: {} })
    expect(byPhone[plain]).toMatchObject({ status: 'read' })
    expect(byPhone[limited]).toMatchObject({ errorCode: 131049, retryable: true, status: 'failed' })
    const notBefore = new Date(String(byPhone[limited].retryNotBefore)).getTime()
    const day = 24 * 60 * 60 * 1000
    expect(notBefore).toBeGreaterThanOrEqual(started + day - 1000)
    expect(notBefore).toBeLessThanOrEqual(Date.now() + day + 1000)
    // Not the contact's fault: nothing is marked on it.
    expect(await contactOf(limited)).toMatchObject({ marketingOptOut: false, undeliverable: false })

    expect(await retryCampaign(app.payload, campaign.id)).toMatchObject({
      requeued: 0,
      status: 'completed',
    })
    expect(sentCount(limited, 'welcome_named')).toBe(0)

    // A day later (the stored time moved into the past), Retry failed sends it, once.
    await app.payload.db.updateMany({
      collection: 'whatsapp-campaign-recipients',
      data: { retryNotBefore: new Date(Date.now() - 1000).toISOString() },
      returning: false,
      where: { id: { equals: byPhone[limited].id } },
    })
    expect(await retryCampaign(app.payload, campaign.id)).toMatchObject({ requeued: 1 })
    await waitForStatus(app.payload, campaign.id, ['completed'])
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    const { recipients } = await expectCountersMatchRecipients(app.payload, campaign.id)
    const retried = recipients.find((r) => r.phoneNumber === limited)
    expect(retried).toMatchObject({ status: 'read' })
    expect(retried?.retryNotBefore ?? null).toBeNull()
    expect(sentCount(limited, 'welcome_named')).toBe(1)
    expect(sentCount(plain, 'welcome_named')).toBe(1)
  })

  test('a CSV audience skips every kind of opt-out and undeliverable phone by its normalized number, saying why', async () => {
    const [stopped, marketingOnly, gone, plain] = await createContacts(app.payload, accountId, 4, {
      first: 500,
      label: 'csv',
    })
    app.simulator.sendInboundText({ from: stopped, phoneNumberId, text: 'UNSUBSCRIBE' })
    app.simulator.sendInboundButton({ from: marketingOnly, phoneNumberId, text: 'Stop promotions' })
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    app.simulator.configure({ errorCodesByPhone: { [gone]: 131026 } })
    await runTo('csv', 'hello_world')
    app.simulator.configure({ errorCodesByPhone: {} })
    expect(await contactOf(gone)).toMatchObject({ undeliverable: true })

    // Written as people type them: local, spaced, with a leading 0.
    const local = (phone: string) => `0${phone.slice(2, 7)} ${phone.slice(7)}`
    const file = await uploadCsv(
      app.payload,
      'optouts.csv',
      `phone,name\n${[stopped, marketingOnly, gone, plain].map((p) => `${local(p)},N${p}`).join('\n')}\n`,
    )
    const before = app.simulator.sent.length
    const marketing = await runTo({ csvFile: file.id }, 'welcome_named')
    expect(app.simulator.sent.slice(before).map((m) => m.to)).toEqual([plain])
    expect(String(marketing.byPhone[stopped].errorMessage)).toMatch(/opted out/)
    expect(String(marketing.byPhone[marketingOnly].errorMessage)).toMatch(/stopped marketing/)
    expect(String(marketing.byPhone[gone].errorMessage)).toMatch(/undeliverable/)

    const utility = await runTo({ csvFile: file.id }, 'hello_world')
    expect(utility.byPhone[marketingOnly]).toMatchObject({ status: 'read' })
    expect(utility.byPhone[plain]).toMatchObject({ status: 'read' })
    expect(utility.byPhone[stopped]).toMatchObject({ status: 'failed' })
    expect(utility.byPhone[gone]).toMatchObject({ status: 'failed' })
  })
})
