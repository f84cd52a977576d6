import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { runCampaign } from '../../src/index.js'
import {
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
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
let editor: string
let templates: Record<string, number | string>

const rateCard = {
  currency: 'USD',
  rates: {
    '44': { MARKETING: 0.05 },
    '91': { MARKETING: 0.01, UTILITY: 0.002 },
    default: { MARKETING: 0.1, UTILITY: 0.02 },
  },
}

beforeAll(async () => {
  app = await bootWithSimulator('retarget', {
    collections: {
      audienceFiles: {
        upload: { staticDir: path.join(os.tmpdir(), `wa-retarget-${process.pid}`) },
      },
    },
    frequencyCap: { maxMessages: 2, perDays: 7 },
    queue: false,
    rateCard,
  })
  ;({ accountId, editor, templates } = await setUpEditorAccount(app))
})
afterAll(async () => {
  await app?.close()
})

const phoneNumberId = testAccount.phoneNumberId

/** n contacts labelled `label`, each with an order attribute; returns their E.164 digits. */
const createContacts = async (label: string, first: number, n: number) => {
  const phones: string[] = []
  for (let i = first; i < first + n; i++) {
    const local = `9${String(810000000 + i).padStart(9, '0')}`
    await app.payload.create({
      collection: 'whatsapp-contacts',
      data: {
        account: accountId,
        attributes: { order: `A-${i}` },
        displayName: `Contact ${i}`,
        labels: [label],
        phone: local,
      },
    })
    phones.push(`91${local}`)
  }
  return phones
}

const recipientsOf = async (campaignId: number | string) =>
  (
    await app.payload.find({
      collection: 'whatsapp-campaign-recipients',
      depth: 0,
      pagination: false,
      where: { campaign: { equals: campaignId } },
    })
  ).docs

/** Polls until `check` passes: webhooks may be applied after their answer. */
const eventually = async (check: () => Promise<void>) => {
  const deadline = Date.now() + 15_000
  for (;;) {
    try {
      return await check()
    } catch (error) {
      if (Date.now() > deadline) {
        throw error
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

/** Runs a campaign to its end; returns the phones the simulator got it for, in order. */
const run = async (campaignId: number | string) => {
  const before = app.simulator.sent.length
  await runCampaign(app.payload, campaignId, { wait: true })
  await app.simulator.flushWebhooks()
  await waitForWebhooksApplied(app.payload)
  const { doc, recipients } = await expectCountersMatchRecipients(app.payload, campaignId)
  expect(doc.status).toBe('completed')
  return {
    byPhone: Object.fromEntries(recipients.map((r) => [String(r.phoneNumber), r])),
    sent: app.simulator.sent.slice(before),
  }
}

const bodyTexts = (components: unknown[]) =>
  (
    components.find((c) => (c as { type: string }).type === 'body') as {
      parameters: Array<{ text: string }>
    }
  ).parameters.map((p) => p.text)

describe('retargeting audience', () => {
  test('each outcome of an earlier campaign messages exactly its recipients once, with their earlier fields', async () => {
    const p = await createContacts('first', 0, 10)
    // Only "sent" arrives on its own; delivered and read are posted below, per phone.
    app.simulator.configure({
      errorCodesByPhone: { [p[6]]: 131049, [p[7]]: 132000 },
      webhookStatuses: ['sent'],
    })
    const earlier = await createCampaign(app.payload, {
      name: 'Earlier',
      account: accountId,
      audienceFilters: { labels: { contains: 'first' } },
      audienceType: 'contacts',
      parameterMappings: { '1': 'name', '2': 'attributes.order' },
      template: templates.order_update,
    })
    try {
      await run(earlier.id)
    } finally {
      app.simulator.configure({ errorCodesByPhone: {}, webhookStatuses: undefined })
    }
    const messageOf = Object.fromEntries(
      (await recipientsOf(earlier.id)).map((r) => [String(r.phoneNumber), String(r.messageId)]),
    )
    const status = (i: number, s: string) => ({ id: messageOf[p[i]], status: s, to: p[i] })
    const response = await postWebhook(
      app.rest.url,
      statusBody(phoneNumberId, [
        status(0, 'delivered'),
        status(1, 'delivered'),
        status(2, 'delivered'),
        status(2, 'read'),
        // A read without its delivered is still read.
        status(3, 'read'),
        status(8, 'delivered'),
      ]),
      { secret: testAccount.appSecret },
    )
    expect(response.status).toBe(200)
    // p5 was sent but opted out since: a retargeting audience still skips it.
    app.simulator.sendInboundText({ from: p[5], phoneNumberId, text: 'STOP' })
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    await eventually(async () => {
      const byPhone = Object.fromEntries(
        (await recipientsOf(earlier.id)).map((r) => [String(r.phoneNumber), r]),
      )
      expect(p.map((phone) => byPhone[phone].status)).toEqual([
        'delivered',
        'delivered',
        'read',
        'read',
        'sent',
        'sent',
        'failed',
        'failed',
        'delivered',
        'sent',
      ])
      expect([byPhone[p[6]].retryable, byPhone[p[7]].retryable]).toEqual([true, false])
      const { docs } = await app.payload.find({
        collection: 'whatsapp-contacts',
        where: { normalizedPhone: { equals: p[5] } },
      })
      expect(docs[0]?.optedOut).toBe(true)
    })

    const expected: Record<string, { sent: string[]; skipped?: string[] }> = {
      delivered_not_read: { sent: [p[0], p[1], p[8]] },
      failed_retryable: { sent: [p[6]] },
      read: { sent: [p[2], p[3]] },
      sent_not_delivered: { sent: [p[4], p[9]], skipped: [p[5]] },
    }
    for (const [outcome, { sent, skipped = [] }] of Object.entries(expected)) {
      const follow = await createCampaign(app.payload, {
        name: `Follow-up ${outcome}`,
        account: accountId,
        audienceType: 'retarget',
        // The earlier rows' fields, swapped: its order as {{1}}, its name as {{2}}.
        parameterMappings: { '1': 'parameters.2', '2': 'name' },
        retargetCampaign: earlier.id,
        retargetOutcome: outcome,
        template: templates.order_update,
      })
      const result = await run(follow.id)
      expect(result.sent.map((m) => m.to).sort(), outcome).toEqual([...sent].sort())
      for (const message of result.sent) {
        const i = p.indexOf(message.to)
        expect(bodyTexts(message.components)).toEqual([`A-${i}`, `Contact ${i}`])
      }
      expect(Object.keys(result.byPhone).sort()).toEqual([...sent, ...skipped].sort())
      for (const phone of skipped) {
        expect(result.byPhone[phone]).toMatchObject({ status: 'failed' })
        expect(String(result.byPhone[phone].errorMessage)).toMatch(/opted out/)
      }
    }
  })

  test('replied and tapped-a-button outcomes message exactly the people who answered so, once', async () => {
    const p = await createContacts('answers', 40, 6)
    const earlier = await createCampaign(app.payload, {
      name: 'Asked',
      account: accountId,
      audienceFilters: { labels: { contains: 'answers' } },
      audienceType: 'contacts',
      template: templates.hello_world,
    })
    await run(earlier.id)
    const messageOf = Object.fromEntries(
      (await recipientsOf(earlier.id)).map((r) => [String(r.phoneNumber), String(r.messageId)]),
    )
    const tap = (i: number, payload: string) =>
      app.simulator.sendInboundButton({
        context: messageOf[p[i]],
        from: p[i],
        payload,
        phoneNumberId,
        text: payload,
      })
    // p0, p1 tap YES (p1 twice), p2 taps NO, p3 writes, p4 writes STOP (a reply, and an
    // opt-out), p5 says nothing.
    tap(0, 'YES')
    tap(1, 'YES')
    tap(1, 'YES')
    tap(2, 'NO')
    app.simulator.sendInboundText({
      context: messageOf[p[3]],
      from: p[3],
      phoneNumberId,
      text: 'When?',
    })
    app.simulator.sendInboundText({
      context: messageOf[p[4]],
      from: p[4],
      phoneNumberId,
      text: 'STOP',
    })
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    const { doc } = await expectCountersMatchRecipients(app.payload, earlier.id)
    expect(doc.repliedCount).toBe(5)

    const expected: Array<[string, string | undefined, string[], string[]]> = [
      ['replied', undefined, [p[0], p[1], p[2], p[3]], [p[4]]],
      ['tapped_button', 'YES', [p[0], p[1]], []],
      ['tapped_button', 'NO', [p[2]], []],
    ]
    for (const [outcome, button, sent, skipped] of expected) {
      const follow = await createCampaign(app.payload, {
        name: `Follow-up ${outcome} ${button ?? ''}`,
        account: accountId,
        audienceType: 'retarget',
        retargetButton: button,
        retargetCampaign: earlier.id,
        retargetOutcome: outcome,
        template: templates.hello_world,
      })
      const result = await run(follow.id)
      expect(result.sent.map((m) => m.to).sort(), `${outcome} ${button}`).toEqual([...sent].sort())
      expect(Object.keys(result.byPhone).sort()).toEqual([...sent, ...skipped].sort())
    }
    // A tapped-button outcome needs its button.
    await expect(
      createCampaign(app.payload, {
        name: 'No button',
        account: accountId,
        audienceType: 'retarget',
        retargetCampaign: earlier.id,
        retargetOutcome: 'tapped_button',
        template: templates.hello_world,
      }),
    ).rejects.toThrow(/Button/)
  })

  test('preview and Run checks: fields from the earlier template, first row, and what is missing', async () => {
    const preview = (body: Record<string, unknown>) =>
      app.api('POST', '/whatsapp-campaigns/audience-preview', { body, token: editor })
    const [earlier] = (
      await app.payload.find({
        collection: 'whatsapp-campaigns',
        where: { name: { equals: 'Earlier' } },
      })
    ).docs
    expect(earlier).toBeDefined()
    const read = await preview({
      audienceType: 'retarget',
      retargetCampaign: earlier.id,
      retargetOutcome: 'read',
    })
    expect(read.body).toEqual({
      fields: ['name', 'phone', 'parameters.1', 'parameters.2'],
      firstRow: {
        name: 'Contact 2',
        'parameters.1': 'Contact 2',
        'parameters.2': 'A-2',
        phone: '+919810000002',
      },
    })
    // Nothing picked yet: nothing to show, nothing wrong.
    expect((await preview({ audienceType: 'retarget' })).body).toEqual({ fields: [] })
    const draft = await createCampaign(app.payload, {
      account: accountId,
      audienceFilters: {},
      template: templates.hello_world,
    })
    expect(
      (
        await preview({
          audienceType: 'retarget',
          retargetCampaign: draft.id,
          retargetOutcome: 'read',
        })
      ).body.error,
    ).toMatch(/draft: it has no outcomes/)

    // A mapping to a field the earlier rows do not have is refused before Run.
    const typo = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'retarget',
      parameterMappings: { '1': 'parameters.9', '2': 'name' },
      retargetCampaign: earlier.id,
      retargetOutcome: 'read',
      template: templates.order_update,
    })
    const summary = await app.api('GET', `/whatsapp-campaigns/${typo.id}/audience`, {
      token: editor,
    })
    expect(summary.body.problems).toEqual([expect.stringContaining('parameters.9')])

    await expect(
      createCampaign(app.payload, {
        account: accountId,
        audienceType: 'retarget',
        template: templates.order_update,
      }),
    ).rejects.toThrow(/retargetCampaign|Earlier campaign/)
  })
})

describe('follow-up', () => {
  test('one call makes a draft follow-up that sends the earlier values to those with the outcome; bad asks refused', async () => {
    const followUp = (id: number | string, body: Record<string, unknown>) =>
      app.api('POST', `/whatsapp-campaigns/${id}/follow-up`, { body, token: editor })
    const [earlier] = (
      await app.payload.find({
        collection: 'whatsapp-campaigns',
        depth: 0,
        where: { name: { equals: 'Earlier' } },
      })
    ).docs
    const { body, status } = await followUp(earlier.id, { outcome: 'delivered_not_read' })
    expect(status).toBe(200)
    const draft = await app.payload.findByID({
      id: String((body as { id: string }).id),
      collection: 'whatsapp-campaigns',
      depth: 0,
    })
    expect(draft).toMatchObject({
      account: earlier.account,
      audienceType: 'retarget',
      parameterMappings: { '1': 'parameters.1', '2': 'parameters.2' },
      retargetCampaign: earlier.id,
      retargetOutcome: 'delivered_not_read',
      status: 'draft',
      template: earlier.template,
    })
    const delivered = (await recipientsOf(earlier.id)).filter((r) => r.status === 'delivered')
    const result = await run(draft.id)
    expect(result.sent.map((m) => m.to).sort()).toEqual(
      delivered.map((r) => String(r.phoneNumber)).sort(),
    )
    for (const message of result.sent) {
      const i = Number(message.to.slice(-2))
      expect(bodyTexts(message.components)).toEqual([`Contact ${i}`, `A-${i}`])
    }

    expect((await followUp(earlier.id, { outcome: 'bogus' })).status).toBe(400)
    expect((await followUp(earlier.id, { outcome: 'tapped_button' })).status).toBe(400)
    const unsent = await createCampaign(app.payload, {
      account: accountId,
      audienceFilters: {},
      template: templates.hello_world,
    })
    const refused = await followUp(unsent.id, { outcome: 'read' })
    expect(refused.status).toBe(409)
    expect((refused.body as { error: string }).error).toMatch(/draft/)
    expect((await followUp('999999', { outcome: 'read' })).status).toBe(404)
  })
})

describe('frequency cap', () => {
  test('at most 2 MARKETING messages per phone in 7 days across campaigns; the rest skipped saying why', async () => {
    const q = await createContacts('capA', 100, 4)
    await createContacts('capB', 104, 2)
    const marketing = (name: string, labels: string[]) =>
      createCampaign(app.payload, {
        name,
        account: accountId,
        audienceFilters: { or: labels.map((label) => ({ labels: { contains: label } })) },
        audienceType: 'contacts',
        parameterMappings: { first_name: 'name' },
        template: templates.welcome_named,
      })
    const first = await run((await marketing('M1', ['capA'])).id)
    expect(first.sent).toHaveLength(4)
    // q0 and q1 get a second one: still within the cap.
    await app.payload.update({
      collection: 'whatsapp-contacts',
      data: { labels: ['capA', 'pair'] },
      where: { normalizedPhone: { in: [q[0], q[1]] } },
    })
    const second = await run((await marketing('M2', ['pair'])).id)
    expect(second.sent.map((m) => m.to).sort()).toEqual([q[0], q[1]].sort())

    const third = await marketing('M3', ['capA', 'capB'])
    const result = await run(third.id)
    const all = [...q, ...(await phonesOf('capB'))]
    expect(result.sent.map((m) => m.to).sort()).toEqual(all.slice(2).sort())
    for (const phone of [q[0], q[1]]) {
      expect(result.byPhone[phone]).toMatchObject({ status: 'failed' })
      expect(String(result.byPhone[phone].errorMessage)).toMatch(
        /^Frequency cap: .*2 marketing messages .* 7 days/,
      )
    }
    // Every phone got at most 2 MARKETING messages in all.
    for (const phone of all) {
      const n = app.simulator.sent.filter(
        (m) => m.to === phone && m.templateName === 'welcome_named',
      ).length
      expect(n, phone).toBeLessThanOrEqual(2)
    }

    // The export carries the reason.
    const response = await fetch(
      `${app.rest.url}/api/whatsapp-campaigns/${third.id}/recipients.csv?status=failed`,
      { headers: { authorization: `JWT ${editor}` } },
    )
    const lines = (await response.text()).trim().split('\n')
    expect(lines).toHaveLength(3)
    expect(lines.slice(1).every((line) => line.includes('Frequency cap:'))).toBe(true)

    // A UTILITY template is not capped.
    const utility = await createCampaign(app.payload, {
      account: accountId,
      audienceFilters: { labels: { contains: 'capA' } },
      audienceType: 'contacts',
      template: templates.hello_world,
    })
    expect((await run(utility.id)).sent.map((m) => m.to).sort()).toEqual([...q].sort())
  })
})

const phonesOf = async (label: string) =>
  (
    await app.payload.find({
      collection: 'whatsapp-contacts',
      pagination: false,
      where: { labels: { contains: label } },
    })
  ).docs.map((doc) => String(doc.normalizedPhone))

describe('cost estimate', () => {
  test('a mixed-country audience priced per calling code and category, before Run and after', async () => {
    await app.payload.create({
      collection: 'whatsapp-contacts',
      data: { account: accountId, optedOut: true, phone: '+91 98200 00003' },
    })
    const csv = [
      'phone,name',
      '+91 98200 00001,In1',
      '+91 98200 00002,In2',
      '098200 00001,In1 again',
      '+91 98200 00003,Opted out',
      'nope,Bad',
      '+44 7911 123456,Uk1',
      '+44 7911 123458,Uk2',
      '+1 415 555 2671,Us1',
    ].join('\n')
    const file = await uploadCsv(app.payload, 'mixed.csv', csv)
    const estimateFor = async (template: 'hello_world' | 'welcome_named') => {
      const campaign = await createCampaign(app.payload, {
        account: accountId,
        audienceType: 'csv',
        csvFile: file.id,
        parameterMappings: template === 'welcome_named' ? { first_name: 'name' } : {},
        template: templates[template],
      })
      const summary = await app.api('GET', `/whatsapp-campaigns/${campaign.id}/audience`, {
        token: editor,
      })
      expect(summary.status).toBe(200)
      return { campaign, summary: summary.body }
    }

    const marketing = await estimateFor('welcome_named')
    // 2 Indian numbers (duplicate, opted-out and invalid rows left out), 2 British, 1 American.
    const expectedMarketing = {
      category: 'MARKETING',
      currency: 'USD',
      lines: [
        { callingCode: '1', cost: 0.1, messages: 1, unitPrice: 0.1 },
        { callingCode: '44', cost: 0.1, messages: 2, unitPrice: 0.05 },
        { callingCode: '91', cost: 0.02, messages: 2, unitPrice: 0.01 },
      ],
      messages: 5,
      total: 0.22,
      unpriced: 0,
    }
    expect(marketing.summary).toMatchObject({
      audienceSize: 8,
      costEstimate: expectedMarketing,
      problems: [],
    })

    // UTILITY: the British row has no UTILITY price, so the default row's applies.
    const utility = await estimateFor('hello_world')
    expect(utility.summary.costEstimate).toMatchObject({
      category: 'UTILITY',
      lines: [
        { callingCode: '1', cost: 0.02, messages: 1, unitPrice: 0.02 },
        { callingCode: '44', cost: 0.04, messages: 2, unitPrice: 0.02 },
        { callingCode: '91', cost: 0.004, messages: 2, unitPrice: 0.002 },
      ],
      total: 0.064,
    })

    // After Run, analytics carry the estimate of the recipients actually queued.
    const before = await app.api('GET', `/whatsapp-campaigns/${marketing.campaign.id}/analytics`, {
      token: editor,
    })
    expect(before.body.costEstimate).toBeNull()
    const result = await run(marketing.campaign.id)
    expect(result.sent).toHaveLength(5)
    const after = await app.api('GET', `/whatsapp-campaigns/${marketing.campaign.id}/analytics`, {
      token: editor,
    })
    expect(after.body.costEstimate).toEqual(expectedMarketing)
  })
})

describe('simulated answers', () => {
  test('the simulator answers a share of messages with taps carrying context.id, and prices every status', async () => {
    const p = await createContacts('simulated', 60, 4)
    app.simulator.configure({ replyButtons: ['Interested'], replyRate: 1 })
    const campaign = await createCampaign(app.payload, {
      name: 'Simulated answers',
      account: accountId,
      audienceFilters: { labels: { contains: 'simulated' } },
      audienceType: 'contacts',
      template: templates.hello_world,
    })
    try {
      await run(campaign.id)
    } finally {
      app.simulator.configure({ replyButtons: undefined, replyRate: 0 })
    }
    await app.simulator.flushWebhooks()
    await waitForWebhooksApplied(app.payload)
    const { doc, recipients } = await expectCountersMatchRecipients(app.payload, campaign.id)
    expect(doc.repliedCount).toBe(p.length)
    expect(recipients.map((r) => [r.replyButton, r.pricingCategory, r.billable])).toEqual(
      p.map(() => ['Interested', 'UTILITY', true]),
    )
    const { body: live } = await app.api('GET', `/whatsapp-campaigns/${campaign.id}/analytics`, {
      token: editor,
    })
    expect(live).toMatchObject({
      actualCost: { messages: 4, total: 0.008 },
      buttons: [{ button: 'Interested', count: 4 }],
      counts: { replied: 4 },
    })
    // Global analytics: replies and cost per campaign and per period (by completion day).
    const { body: global } = await app.api('GET', '/whatsapp/analytics?period=day', {
      token: editor,
    })
    const rows = global.campaigns as Array<{ cost: number; id: string; replied: number }>
    expect(rows.find((row) => row.id === String(campaign.id))).toMatchObject({
      cost: 0.008,
      replied: 4,
    })
    const periods = global.periods as Array<{ cost: number }>
    const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 1e6) / 1e6
    expect(global.currency).toBe('USD')
    expect(sum(periods.map((p) => p.cost))).toBe(sum(rows.map((row) => row.cost)))
    expect((global.totals as { cost: number }).cost).toBe(sum(rows.map((row) => row.cost)))
  })
})
