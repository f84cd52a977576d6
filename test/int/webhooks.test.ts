import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { WebhookReceiver } from '../../src/index.js'
import type { ClaimedRecipient } from '../../src/store/index.js'

import { startWebhookReceiver } from '../../src/index.js'
import { getStore } from '../../src/store/index.js'
import { bootPayload, type TestApp } from '../helpers/bootPayload.js'
import {
  claimedCampaign as claimedCampaignOf,
  recordSent as recordSentOf,
  shuffled,
} from '../helpers/claimedCampaign.js'
import {
  campaignDoc,
  createAccount,
  expectCountersMatchRecipients,
  testAccount,
  waitForWebhooksApplied,
} from '../helpers/fixtures.js'
import { postWebhook, statusBody } from '../helpers/signedPost.js'
import { expectEachAnsweredLogged, startSteadyPosting } from '../helpers/steadyPosting.js'
import { createDemoTemplates } from '../helpers/templates.js'

let app: TestApp
/** The standalone receiver (startWebhookReceiver), beside Payload's endpoint. */
let receiver: WebhookReceiver
let accountId: number | string
let templates: Record<string, number | string>
const inbound: Array<Record<string, unknown>> = []

beforeAll(async () => {
  app = await bootPayload('webhooks', {
    pluginOptions: {
      onInboundMessage: ({ message }) => {
        inbound.push(message)
      },
      queue: false,
    },
  })
  accountId = (await createAccount(app.payload)).id
  templates = await createDemoTemplates(app.payload, accountId)
  receiver = await startWebhookReceiver(app.payload, { host: '127.0.0.1', port: 0 })
})
afterAll(async () => {
  await receiver?.close()
  await app?.close()
})

/** Where each way in takes webhooks: both under /api/whatsapp/webhook. */
const entries = [
  { name: "Payload's endpoint", base: () => app.rest.url, key: 'rest' },
  {
    name: 'the standalone receiver',
    base: () => receiver.url.replace('/api/whatsapp/webhook', ''),
    key: 'receiver',
  },
]

const post = (body: unknown, options?: Parameters<typeof postWebhook>[2]) =>
  postWebhook(app.rest.url, body, { secret: testAccount.appSecret, ...options })

const claimedCampaign = (n: number) =>
  claimedCampaignOf(app.payload, { accountId, n, templateId: templates.hello_world })
const recordSent = (id: string, claimed: ClaimedRecipient[], prefix: string) =>
  recordSentOf(app.payload, id, claimed, prefix)

describe.each(entries)('webhook checks through $name', ({ base, key }) => {
  const postTo = (body: unknown, options?: Parameters<typeof postWebhook>[2]) =>
    postWebhook(base(), body, { secret: testAccount.appSecret, ...options })

  test("GET answers Meta's verification only for a known verify token", async () => {
    const ok = await fetch(
      `${base()}/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=${testAccount.verifyToken}&hub.challenge=1158201444`,
    )
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('1158201444')
    const bad = await fetch(
      `${base()}/api/whatsapp/webhook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1`,
    )
    expect(bad.status).toBe(403)
  })

  test('missing or wrong signature, unknown number, malformed JSON: refused, nothing changes', async () => {
    const { id, claimed } = await claimedCampaign(2)
    await recordSent(id, claimed, `sig${key}`)
    const body = statusBody(testAccount.phoneNumberId, [
      { id: `wamid.sig${key}0`, status: 'delivered' },
    ])
    expect((await postTo(body, { signature: null })).status).toBe(401)
    expect((await postTo(body, { signature: 'sha256=00' })).status).toBe(401)
    expect((await postTo(body, { secret: 'another-secret' })).status).toBe(401)
    expect(
      (await postTo(statusBody('999999999', [{ id: `wamid.sig${key}0`, status: 'read' }]))).status,
    ).toBe(401)
    expect((await postTo('{"entry": [')).status).toBe(400)
    expect((await postTo({ hello: 'world' })).status).toBe(400)
    expect(
      (await postTo({ entry: [{ changes: [{ field: 'messages', value: { statuses: [] } }] }] }))
        .status,
    ).toBe(400)
    expect((await postTo('x'.repeat(1024 * 1024 + 10))).status).toBe(413)
    expect(await campaignDoc(app.payload, id)).toMatchObject({ deliveredCount: 0, readCount: 0 })
    await expectCountersMatchRecipients(app.payload, id)
  })
})

describe('standalone receiver', () => {
  const receiverBase = () => receiver.url.replace('/api/whatsapp/webhook', '')

  test('a status it receives is logged, applied and counted', async () => {
    const { id, claimed } = await claimedCampaign(2)
    await recordSent(id, claimed, 'rcv')
    const response = await postWebhook(
      receiverBase(),
      statusBody(testAccount.phoneNumberId, [
        { id: 'wamid.rcv0', status: 'delivered' },
        { id: 'wamid.rcv1', status: 'read' },
      ]),
      { secret: testAccount.appSecret },
    )
    expect(response).toEqual({ body: '{"received":2}', status: 200 })
    await expectCountersMatchRecipients(app.payload, id)
    expect(await campaignDoc(app.payload, id)).toMatchObject({ deliveredCount: 2, readCount: 1 })
  })

  test('other paths 404, other methods 405, a body over the limit without a length 413', async () => {
    expect((await fetch(`${receiverBase()}/api/other`)).status).toBe(404)
    const put = await fetch(receiver.url, { body: '{}', method: 'PUT' })
    expect(put.status).toBe(405)
    expect(put.headers.get('allow')).toBe('GET, POST')
    // Chunked, so only reading it tells its size.
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
    let sent = 0
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        if (sent++ < 20) {
          controller.enqueue(chunk)
        } else {
          controller.close()
        }
      },
    })
    const big = await fetch(receiver.url, {
      body,
      duplex: 'half',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
      method: 'POST',
    } as RequestInit)
    expect(big.status).toBe(413)
    expect(sent).toBeGreaterThan(16)
  })
  test('close() under steady posting on kept-alive connections answers what is in progress and resolves', async () => {
    const closing = await startWebhookReceiver(app.payload, { host: '127.0.0.1', port: 0 })
    const posting = startSteadyPosting(closing.url, 'closing')
    await posting.answeredAtLeast(100)
    const outcome = await Promise.race([
      closing.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still open after 10 s'), 10_000)),
    ])
    await posting.stop()
    expect(outcome).toBe('closed')
    await expectEachAnsweredLogged(app.payload, posting, 'closing')
  })
})

describe('webhook endpoint', () => {
  test('statuses move forward only; read before delivered counts as delivered; failed carries code and message', async () => {
    const { id, claimed } = await claimedCampaign(3)
    await recordSent(id, claimed, 'fw')
    const t = Math.floor(Date.now() / 1000)
    expect(
      (
        await post(
          statusBody(testAccount.phoneNumberId, [
            { id: 'wamid.fw0', status: 'read', timestamp: t + 5 },
          ]),
        )
      ).status,
    ).toBe(200)
    await post(
      statusBody(testAccount.phoneNumberId, [
        { id: 'wamid.fw0', status: 'delivered', timestamp: t + 2 },
      ]),
    )
    await post(
      statusBody(testAccount.phoneNumberId, [
        { id: 'wamid.fw1', status: 'delivered', timestamp: t },
      ]),
    )
    await post(
      statusBody(testAccount.phoneNumberId, [
        { id: 'wamid.fw2', code: 131047, status: 'failed', timestamp: t },
      ]),
    )
    const { recipients } = await expectCountersMatchRecipients(app.payload, id)
    const byMessage = Object.fromEntries(recipients.map((r) => [r.messageId, r]))
    expect(byMessage['wamid.fw0']).toMatchObject({ status: 'read' })
    expect(byMessage['wamid.fw0'].deliveredAt).toBeTruthy()
    expect(new Date(String(byMessage['wamid.fw0'].readAt)).getTime()).toBe((t + 5) * 1000)
    expect(byMessage['wamid.fw1']).toMatchObject({ status: 'delivered' })
    expect(byMessage['wamid.fw2']).toMatchObject({ errorCode: 131047, status: 'failed' })
    expect(String(byMessage['wamid.fw2'].errorMessage)).toContain('24 hours')
    expect(await campaignDoc(app.payload, id)).toMatchObject({
      deliveredCount: 2,
      failedCount: 1,
      readCount: 1,
      sentCount: 3,
    })
  })

  test('the same events three times in shuffled order give exact counters', async () => {
    const n = 40
    const { id, claimed } = await claimedCampaign(n)
    await recordSent(id, claimed, 'rep')
    const events: Array<{ id: string; status: string }> = []
    for (let i = 0; i < n; i++) {
      const final =
        i % 4 === 0
          ? ['sent']
          : i % 4 === 1
            ? ['sent', 'delivered']
            : i % 4 === 2
              ? ['sent', 'delivered', 'read']
              : ['sent', 'failed']
      for (const status of final) {
        events.push({ id: `wamid.rep${i}`, status })
      }
    }
    const deliveries = shuffled([...events, ...events, ...events])
    for (let i = 0; i < deliveries.length; i += 7) {
      expect(
        (await post(statusBody(testAccount.phoneNumberId, deliveries.slice(i, i + 7)))).status,
      ).toBe(200)
    }
    await expectCountersMatchRecipients(app.payload, id)
    expect(await campaignDoc(app.payload, id)).toMatchObject({
      deliveredCount: 20,
      failedCount: 10,
      readCount: 10,
      sentCount: 40,
    })
  })

  test('statuses that arrive before the send result are kept and applied when it lands', async () => {
    const { id, claimed } = await claimedCampaign(4)
    const early = claimed.map((_, i) => ({
      id: `wamid.early${i}`,
      status: i % 2 ? 'read' : 'delivered',
    }))
    expect((await post(statusBody(testAccount.phoneNumberId, early))).status).toBe(200)
    const waiting = await app.payload.count({
      collection: 'whatsapp-webhook-events',
      where: { and: [{ applied: { equals: false } }, { messageId: { like: 'wamid.early' } }] },
    })
    expect(waiting.totalDocs).toBe(4)
    await recordSent(id, claimed, 'early')
    await expectCountersMatchRecipients(app.payload, id)
    expect(await campaignDoc(app.payload, id)).toMatchObject({
      deliveredCount: 4,
      readCount: 2,
      sentCount: 4,
    })
    const stillWaiting = await app.payload.count({
      collection: 'whatsapp-webhook-events',
      where: { and: [{ applied: { equals: false } }, { messageId: { like: 'wamid.early' } }] },
    })
    expect(stillWaiting.totalDocs).toBe(0)
  })

  test('STOP opts out a known contact and creates an unknown one opted out; other messages reach onInboundMessage', async () => {
    await app.payload.create({
      collection: 'whatsapp-contacts',
      data: { account: accountId, displayName: 'Known', phone: '+91 98111 22233' },
    })
    const message = (from: string, text: string) => ({
      entry: [
        {
          id: testAccount.wabaId,
          changes: [
            {
              field: 'messages',
              value: {
                contacts: [{ profile: { name: 'Sender' }, wa_id: from }],
                messages: [
                  {
                    id: `wamid.in${from}${text}`,
                    type: 'text',
                    from,
                    text: { body: text },
                    timestamp: '1700000000',
                  },
                ],
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
    expect((await post(message('919811122233', ' stop '))).status).toBe(200)
    expect((await post(message('919822233344', 'UNSUBSCRIBE'))).status).toBe(200)
    expect((await post(message('919833344455', 'What time do you open?'))).status).toBe(200)
    await waitForWebhooksApplied(app.payload)
    const contacts = await app.payload.find({
      collection: 'whatsapp-contacts',
      where: { normalizedPhone: { in: ['919811122233', '919822233344', '919833344455'] } },
    })
    const byPhone = Object.fromEntries(contacts.docs.map((c) => [c.normalizedPhone, c]))
    expect(byPhone['919811122233']).toMatchObject({ optedOut: true })
    expect(byPhone['919822233344']).toMatchObject({ displayName: 'Sender', optedOut: true })
    expect(byPhone['919833344455']).toBeUndefined()
    expect(inbound.map((m) => (m.text as { body: string }).body)).toEqual([
      'What time do you open?',
    ])
  })

  test('template status updates change the template', async () => {
    const body = {
      entry: [
        {
          id: testAccount.wabaId,
          changes: [
            {
              field: 'message_template_status_update',
              value: {
                event: 'REJECTED',
                message_template_id: 900000000000001,
                message_template_language: 'en_US',
                message_template_name: 'order_update',
                reason: 'INCORRECT_CATEGORY',
              },
            },
          ],
          time: 1700000000,
        },
      ],
      object: 'whatsapp_business_account',
    }
    expect((await post(body)).status).toBe(200)
    await waitForWebhooksApplied(app.payload)
    const template = await app.payload.findByID({
      id: templates.order_update,
      collection: 'whatsapp-templates',
    })
    expect(template).toMatchObject({ rejectedReason: 'INCORRECT_CATEGORY', status: 'REJECTED' })
  })
})

describe('several accounts, retention', () => {
  test("each body is routed by phone_number_id and verified with that account's secret", async () => {
    const second = await app.payload.create({
      collection: 'whatsapp-accounts',
      data: {
        name: 'Second',
        appSecretInput: 'second-secret',
        phoneNumberId: '100000000000999',
        wabaId: '200000000000999',
      },
    })
    const { id, claimed } = await claimedCampaign(1)
    await recordSent(id, claimed, 'multi')
    const ours = statusBody('100000000000999', [{ id: 'wamid.nothing', status: 'delivered' }])
    expect((await post(ours)).status).toBe(401)
    expect((await post(ours, { secret: 'second-secret' })).status).toBe(200)
    const mixed = statusBody(testAccount.phoneNumberId, [
      { id: 'wamid.multi0', status: 'delivered' },
    ])
    mixed.entry.push(ours.entry[0])
    expect((await post(mixed)).status).toBe(401)
    expect((await post(mixed, { secret: 'second-secret' })).status).toBe(401)
    expect(await campaignDoc(app.payload, id)).toMatchObject({ deliveredCount: 0 })
    expect(second.id).toBeTruthy()
  })

  test('old events are pruned, except status events still waiting for their send', async () => {
    const store = getStore(app.payload)
    const [waiting, applied, message] = await store.logEvents([
      { kind: 'status', messageId: 'wamid.waiting', payload: {}, status: 'read' },
      { kind: 'status', messageId: 'wamid.applied', payload: {}, status: 'read' },
      { kind: 'message', payload: {} },
    ])
    await store.markEventsApplied([applied])
    const removed = await store.pruneEvents(new Date(Date.now() + 1000))
    expect(removed).toBeGreaterThanOrEqual(2)
    const left = await app.payload.find({
      collection: 'whatsapp-webhook-events',
      where: { id: { in: [waiting, applied, message] } },
    })
    expect(left.docs.map((d) => String(d.id))).toEqual([waiting])
  })
})

describe('template sync', () => {
  test('pulls every template page from the Graph API and upserts them', async () => {
    const { demoTemplates, startCloudApiSimulator } = await import('../../dev/simulator/index.js')
    const { syncTemplates } = await import('../../src/index.js')
    const many = Array.from({ length: 130 }, (_, i) => ({
      ...demoTemplates[3],
      id: String(800000000000000 + i),
      name: `bulk_${i}`,
    }))
    const simulator = await startCloudApiSimulator({
      accounts: [testAccount],
      templates: { [testAccount.wabaId]: [...demoTemplates, ...many] },
    })
    const synced = await bootPayload('webhooks_sync', {
      pluginOptions: { graphApiUrl: simulator.url, queue: false },
    })
    try {
      const account = await createAccount(synced.payload)
      const token = await synced.login()
      const res = await synced.api('POST', '/whatsapp-templates/sync', {
        body: { account: account.id },
        token,
      })
      expect(res).toMatchObject({ body: { created: 136, total: 136, updated: 0 }, status: 200 })
      const again = await syncTemplates(synced.payload, { accountId: account.id })
      expect(again).toEqual({ created: 0, total: 136, updated: 136 })
      // The list view's button names no account: every account is synced.
      const all = await synced.api('POST', '/whatsapp-templates/sync', { token })
      expect(all).toMatchObject({ body: { created: 0, errors: [], updated: 136 }, status: 200 })
      const orderUpdate = await synced.payload.find({
        collection: 'whatsapp-templates',
        where: { name: { equals: 'order_update' } },
      })
      expect(orderUpdate.docs[0]).toMatchObject({ status: 'APPROVED' })
      expect(orderUpdate.docs[0].variables).toEqual([
        expect.objectContaining({ key: '1' }),
        expect.objectContaining({ key: '2' }),
      ])
      expect(
        (await synced.api('POST', '/whatsapp-templates/sync', { body: { account: account.id } }))
          .status,
      ).toBe(401)
    } finally {
      await synced.close()
      await simulator.close()
    }
  })
})
