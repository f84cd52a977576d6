/**
 * Replies and quick-reply taps over real HTTP, signed as Meta signs: an inbound message whose
 * context.id is a campaign message marks its recipient replied, once, whatever the order and
 * repetition of the webhooks, a reply that beats its send result included.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { InboundMessageArgs } from '../../src/options.js'

import { getStore } from '../../src/store/index.js'
import { bootPayload, type TestApp } from '../helpers/bootPayload.js'
import { claimedCampaign, recordSent, shuffled } from '../helpers/claimedCampaign.js'
import {
  campaignDoc,
  createAccount,
  createCampaign,
  expectCountersMatchRecipients,
  testAccount,
  waitForWebhooksApplied,
} from '../helpers/fixtures.js'
import { postWebhook, statusBody } from '../helpers/signedPost.js'
import { createDemoTemplates } from '../helpers/templates.js'

/** A site's own prices (an example, not Meta's figures). */
const rateCard = {
  currency: 'USD',
  rates: {
    '44': { MARKETING: 0.04 },
    '91': { MARKETING: 0.01, UTILITY: 0.002 },
    default: { MARKETING: 0.05, UTILITY: 0.01 },
  },
}

let app: TestApp
let accountId: number | string
let templates: Record<string, number | string>
const inbound: InboundMessageArgs[] = []

beforeAll(async () => {
  app = await bootPayload('replies', {
    pluginOptions: {
      onInboundMessage: (args) => {
        inbound.push(args)
      },
      queue: false,
      rateCard,
    },
  })
  accountId = (await createAccount(app.payload)).id
  templates = await createDemoTemplates(app.payload, accountId)
})
afterAll(async () => {
  await app?.close()
})

type Answer = { button?: string; context: string; from: string; seconds: number; text?: string }

/** Meta's documented inbound message shape: a text reply, or a quick-reply button tap. */
const messagesBody = (answers: Answer[]) => ({
  entry: [
    {
      id: testAccount.wabaId,
      changes: [
        {
          field: 'messages',
          value: {
            contacts: answers.map((a) => ({ profile: { name: 'Replier' }, wa_id: a.from })),
            messages: answers.map((a) => ({
              id: `wamid.in.${a.context}.${a.seconds}`,
              context: { id: a.context, from: '15550009999' },
              from: a.from,
              timestamp: String(a.seconds),
              ...(a.button
                ? { type: 'button', button: { payload: a.button, text: a.text ?? a.button } }
                : { type: 'text', text: { body: a.text ?? '' } }),
            })),
            messaging_product: 'whatsapp',
            metadata: {
              display_phone_number: '15550009999',
              phone_number_id: testAccount.phoneNumberId,
            },
          },
        },
      ],
    },
  ],
  object: 'whatsapp_business_account',
})

const post = (answers: Answer[]) =>
  postWebhook(app.rest.url, messagesBody(answers), { secret: testAccount.appSecret })

describe('replies and button taps', () => {
  test('counted once under duplicates and reordering, a reply before its send result included', async () => {
    const n = 12
    const { id, claimed } = await claimedCampaign(app.payload, {
      accountId,
      n,
      templateId: templates.hello_world,
    })
    const t = Math.floor(Date.now() / 1000) - 600
    const phone = (i: number) => `9198${String(i).padStart(8, '0')}`
    // i % 4: 0 taps YES, 1 taps NO then YES later, 2 writes text, 3 never answers.
    const answers: Answer[] = []
    for (let i = 0; i < n; i++) {
      const context = `wamid.rp${i}`
      if (i % 4 === 0) {
        answers.push({ button: 'YES', context, from: phone(i), seconds: t + i })
      } else if (i % 4 === 1) {
        answers.push({ button: 'NO', context, from: phone(i), seconds: t + i })
        answers.push({ button: 'YES', context, from: phone(i), seconds: t + 100 + i })
      } else if (i % 4 === 2) {
        answers.push({ context, from: phone(i), seconds: t + i, text: 'Tell me more' })
      }
    }
    // Recipients 0-3 are answered (twice) before their send result is recorded.
    const early = answers.filter((a) => Number(a.context.slice('wamid.rp'.length)) < 4)
    for (const a of shuffled([...early, ...early])) {
      expect((await post([a])).status).toBe(200)
    }
    await waitForWebhooksApplied(app.payload)
    expect(await campaignDoc(app.payload, id)).toMatchObject({ repliedCount: 0 })
    await recordSent(app.payload, id, claimed, 'rp')
    // The others after it, three times each: only the send result applies the early ones.
    const late = answers.filter((a) => !early.includes(a))
    const deliveries = shuffled([...late, ...late, ...late])
    for (let i = 0; i < deliveries.length; i += 3) {
      expect((await post(deliveries.slice(i, i + 3))).status).toBe(200)
    }
    const { recipients } = await expectCountersMatchRecipients(app.payload, id)
    expect(await campaignDoc(app.payload, id)).toMatchObject({ repliedCount: 9, sentCount: n })
    // The first answer wins: those who tapped NO then YES count under NO.
    expect(await getStore(app.payload).replyButtons(id)).toEqual([
      { button: 'NO', count: 3 },
      { button: 'YES', count: 3 },
    ])
    const byMessage = Object.fromEntries(recipients.map((r) => [String(r.messageId), r]))
    expect(byMessage['wamid.rp1']).toMatchObject({ replyButton: 'NO', replyText: 'NO' })
    expect(new Date(String(byMessage['wamid.rp1'].repliedAt)).getTime()).toBe((t + 1) * 1000)
    expect(byMessage['wamid.rp2']).toMatchObject({ replyText: 'Tell me more' })
    expect(byMessage['wamid.rp2'].replyButton ?? null).toBeNull()
    expect(byMessage['wamid.rp3'].repliedAt ?? null).toBeNull()
    // onInboundMessage hears which campaign and recipient a reply answered.
    const heard = inbound.find(
      (args) => (args.message.context as { id: string }).id === 'wamid.rp5' && args.answered,
    )
    expect(heard?.answered).toEqual({
      campaignId: id,
      recipientId: String(byMessage['wamid.rp5'].id),
    })
    await getStore(app.payload).recount(id)
    expect(await campaignDoc(app.payload, id)).toMatchObject({ repliedCount: 9 })

    // Analytics: reply rate and the per-button breakdown.
    const editor = await app.login()
    const { body: live } = await app.api('GET', `/whatsapp-campaigns/${id}/analytics`, {
      token: editor,
    })
    expect(live).toMatchObject({
      buttons: [
        { button: 'NO', count: 3 },
        { button: 'YES', count: 3 },
      ],
      counts: { replied: 9 },
      rates: { replied: 9 / n },
    })

    // The recipients list filters by replied and by button, as the admin asks it.
    const list = async (where: string) =>
      (
        await app.api(
          'GET',
          `/whatsapp-campaign-recipients?depth=0&limit=100&where[campaign][equals]=${id}&${where}`,
          { token: editor },
        )
      ).body.totalDocs
    expect(await list('where[repliedAt][exists]=true')).toBe(9)
    expect(await list('where[repliedAt][exists]=false')).toBe(3)
    expect(await list('where[replyButton][equals]=NO')).toBe(3)

    // The export carries the answer, and filters like the list.
    const csv = async (query: string) =>
      (
        await (
          await fetch(`${app.rest.url}/api/whatsapp-campaigns/${id}/recipients.csv?${query}`, {
            headers: { authorization: `JWT ${editor}` },
          })
        ).text()
      )
        .trim()
        .split('\n')
    const [header, ...yes] = await csv('button=YES')
    expect(header.split(',')).toEqual(
      expect.arrayContaining(['repliedAt', 'replyText', 'replyButton']),
    )
    expect(yes).toHaveLength(3)
    expect(yes.every((line) => line.includes(',YES,'))).toBe(true)
    expect(await csv('replied=no')).toHaveLength(4)
    expect(await csv('replied=yes')).toHaveLength(10)
  })
})

describe('actual cost', () => {
  test('billable messages × rate card by calling code and pricing category, latest pricing per message', async () => {
    const campaign = await createCampaign(app.payload, {
      account: accountId,
      audienceType: 'contacts',
      template: templates.hello_world,
    })
    const id = String(campaign.id)
    const store = getStore(app.payload)
    const phones = [
      '919876500001',
      '919876500002',
      '919876500003',
      '919876500004',
      '447700900001',
      '447700900002',
      '14155550101',
      '14155550102',
    ]
    await store.insertRecipients(
      id,
      phones.map((phoneNumber) => ({ phoneNumber, status: 'pending' as const })),
    )
    await store.recount(id)
    const claimed = await store.claimBatch(id, phones.length)
    const message = Object.fromEntries(phones.map((phone) => [phone, `wamid.cost.${phone}`]))
    const t = Math.floor(Date.now() / 1000) - 600
    const marketing = { billable: true, category: 'marketing' }
    const post = (statuses: Parameters<typeof statusBody>[1]) =>
      postWebhook(app.rest.url, statusBody(testAccount.phoneNumberId, statuses), {
        secret: testAccount.appSecret,
      })
    // Before the send result: its pricing lands with it.
    expect(
      (await post([{ id: message[phones[0]], pricing: marketing, status: 'sent', timestamp: t }]))
        .status,
    ).toBe(200)
    await waitForWebhooksApplied(app.payload)
    await store.recordOutcomes(
      id,
      claimed.map((r) => ({
        id: r.id,
        kind: 'sent' as const,
        messageId: message[r.phoneNumber],
        sentAt: new Date(),
      })),
    )
    const statuses = [
      { id: message[phones[1]], pricing: marketing, status: 'delivered', timestamp: t + 2 },
      { id: message[phones[2]], pricing: marketing, status: 'read', timestamp: t + 3 },
      // Reordered: the later status's pricing wins over the earlier one posted after it.
      { id: message[phones[3]], pricing: marketing, status: 'delivered', timestamp: t + 5 },
      {
        id: message[phones[3]],
        pricing: { billable: false, category: 'service' },
        status: 'sent',
        timestamp: t + 1,
      },
      { id: message[phones[4]], pricing: marketing, status: 'sent', timestamp: t + 1 },
      {
        id: message[phones[5]],
        pricing: { billable: true, category: 'utility' },
        status: 'sent',
        timestamp: t + 1,
      },
      { id: message[phones[6]], pricing: marketing, status: 'delivered', timestamp: t + 1 },
      {
        id: message[phones[7]],
        pricing: { billable: false, category: 'service' },
        status: 'sent',
        timestamp: t + 1,
      },
      // No pricing: changes nothing of it.
      { id: message[phones[6]], status: 'read', timestamp: t + 9 },
    ]
    for (const status of [...statuses, ...shuffled(statuses)]) {
      expect((await post([status])).status).toBe(200)
    }
    await expectCountersMatchRecipients(app.payload, id)
    const editor = await app.login()
    const { body: live } = await app.api('GET', `/whatsapp-campaigns/${id}/analytics`, {
      token: editor,
    })
    expect(live.actualCost).toEqual({
      currency: 'USD',
      lines: [
        { callingCode: '1', category: 'MARKETING', cost: 0.05, messages: 1, unitPrice: 0.05 },
        { callingCode: '44', category: 'MARKETING', cost: 0.04, messages: 1, unitPrice: 0.04 },
        { callingCode: '44', category: 'UTILITY', cost: 0.01, messages: 1, unitPrice: 0.01 },
        { callingCode: '91', category: 'MARKETING', cost: 0.04, messages: 4, unitPrice: 0.01 },
      ],
      messages: 7,
      total: 0.14,
      unpriced: 0,
    })
    // The export carries each recipient's pricing.
    const csv = await (
      await fetch(`${app.rest.url}/api/whatsapp-campaigns/${id}/recipients.csv`, {
        headers: { authorization: `JWT ${editor}` },
      })
    ).text()
    const [header, ...lines] = csv.trim().split('\n')
    const columns = header.split(',')
    const row = (phone: string) => lines.find((line) => line.startsWith(phone))!.split(',')
    expect(row(phones[3])[columns.indexOf('pricingCategory')]).toBe('MARKETING')
    expect(row(phones[3])[columns.indexOf('billable')]).toBe('true')
    expect(row(phones[7])[columns.indexOf('pricingCategory')]).toBe('SERVICE')
    expect(row(phones[7])[columns.indexOf('billable')]).toBe('false')
  })
})
