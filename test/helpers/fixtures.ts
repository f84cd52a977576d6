import type { Payload } from 'payload'

import { expect } from 'vitest'

import { getStore } from '../../src/store/index.js'

export const testAccount = {
  accessToken: 'test-access-token',
  appSecret: 'test-app-secret',
  displayPhoneNumber: '15550009999',
  phoneNumberId: '100000000000777',
  verifyToken: 'test-verify-token',
  wabaId: '200000000000777',
}

export const orderUpdateComponents = [
  { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.' },
]

export const createAccount = async (
  payload: Payload,
  overrides: Partial<{ accessToken: string; messagesPerSecond: number }> = {},
) =>
  payload.create({
    collection: 'whatsapp-accounts',
    data: {
      name: 'Test number',
      accessTokenInput: overrides.accessToken ?? testAccount.accessToken,
      appSecretInput: testAccount.appSecret,
      displayPhoneNumber: testAccount.displayPhoneNumber,
      messagesPerSecond: overrides.messagesPerSecond ?? 200,
      phoneNumberId: testAccount.phoneNumberId,
      verifyToken: testAccount.verifyToken,
      wabaId: testAccount.wabaId,
    },
  })

export const createTemplate = async (
  payload: Payload,
  accountId: number | string,
  template: { components: unknown[]; language?: string; name: string; status?: string },
) =>
  payload.create({
    collection: 'whatsapp-templates',
    data: {
      name: template.name,
      account: accountId,
      components: template.components,
      language: template.language ?? 'en_US',
      status: template.status ?? 'APPROVED',
    },
  })

export const createCampaign = async (payload: Payload, data: Record<string, unknown>) =>
  payload.create({ collection: 'whatsapp-campaigns', data: { name: 'Test campaign', ...data } })

export const campaignDoc = async (payload: Payload, id: number | string) =>
  payload.findByID({ id, collection: 'whatsapp-campaigns', depth: 0 })

/** Polls until the campaign reaches one of these statuses. */
export const waitForStatus = async (
  payload: Payload,
  id: number | string,
  statuses: string[],
  timeoutMs = 30_000,
) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const doc = await campaignDoc(payload, id)
    if (statuses.includes(String(doc.status))) {
      return doc
    }
    // A failed campaign stays failed: no use waiting for the deadline.
    if (Date.now() > deadline || doc.status === 'failed') {
      throw new Error(
        `campaign ${id} is ${doc.status}, expected ${statuses.join('/')}${doc.error ? ` (${doc.error})` : ''}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/** The campaign's counters and what its recipients' statuses say they should be, read now. */
const countersAndRecount = async (payload: Payload, id: number | string) => {
  const counts = await getStore(payload).countByStatus(String(id))
  const { docs } = await payload.find({
    collection: 'whatsapp-campaign-recipients',
    depth: 0,
    pagination: false,
    where: { campaign: { equals: id } },
  })
  const doc = await campaignDoc(payload, id)
  const withMessageId = docs.filter((r) => typeof r.messageId === 'string' && r.messageId).length
  return {
    counters: {
      deliveredCount: doc.deliveredCount,
      failedCount: doc.failedCount,
      readCount: doc.readCount,
      repliedCount: doc.repliedCount,
      sentCount: doc.sentCount,
      totalCount: doc.totalCount,
      unknownCount: doc.unknownCount,
    },
    counts,
    doc,
    recipients: docs,
    recount: {
      deliveredCount: counts.delivered + counts.read,
      failedCount: counts.failed,
      readCount: counts.read,
      repliedCount: docs.filter((r) => r.repliedAt).length,
      sentCount: withMessageId,
      totalCount: docs.length,
      unknownCount: counts.unknown,
    },
  }
}

/**
 * Waiting events whose send has been recorded meanwhile: the applier that set them waiting
 * wakes them once it has looked at their recipients again, a moment after its batch commits, so
 * for that moment they are in no backlog yet not applied.
 */
const dueWaitingEvents = async (payload: Payload) => {
  const { docs } = await payload.find({
    collection: 'whatsapp-webhook-events',
    depth: 0,
    pagination: false,
    select: { messageId: true },
    where: { and: [{ applied: { equals: false } }, { waiting: { equals: true } }] },
  })
  const messageIds = [...new Set(docs.flatMap((e) => (e.messageId ? [e.messageId] : [])))]
  let due = 0
  for (let start = 0; start < messageIds.length; start += 500) {
    const { totalDocs } = await payload.count({
      collection: 'whatsapp-campaign-recipients',
      where: { messageId: { in: messageIds.slice(start, start + 500) } },
    })
    due += totalDocs
  }
  return due
}

/**
 * Waits until the webhook applier has applied every event logged so far (statuses waiting for
 * a send not recorded yet aside): the endpoint answers once events are logged, before they are
 * applied.
 */
export const waitForWebhooksApplied = async (payload: Payload, timeoutMs = 60_000) => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const backlog = (await getStore(payload).backlog()) || (await dueWaitingEvents(payload))
    if (backlog === 0) {
      return
    }
    if (Date.now() > deadline) {
      throw new Error(`${backlog} webhook events still unapplied after ${timeoutMs} ms`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/**
 * The campaign's counters must say exactly what its recipients' statuses say, once the webhook
 * events logged so far are applied. Webhooks still in flight can move both between the reads,
 * so a difference must last 5 s to fail.
 */
export const expectCountersMatchRecipients = async (payload: Payload, id: number | string) => {
  await waitForWebhooksApplied(payload)
  const deadline = Date.now() + 5000
  for (;;) {
    const state = await countersAndRecount(payload, id)
    const settled = JSON.stringify(state.counters) === JSON.stringify(state.recount)
    if (settled || Date.now() > deadline) {
      expect(state.counters).toEqual(state.recount)
      return { counts: state.counts, doc: state.doc, recipients: state.recipients }
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/**
 * After workers died mid-campaign: the simulator accepted each phone at most once, counters
 * equal the recipients, every recipient the engine calls sent was accepted exactly once, and
 * every other one (claimed by a dead worker: maybe sent, maybe not) says unknown.
 */
export const expectEachSentOnceOrUnknown = async (
  payload: Payload,
  campaignId: number | string,
  args: { counts: Map<string, number>; phones: string[] },
) => {
  for (const phone of args.phones) {
    expect(args.counts.get(phone) ?? 0, phone).toBeLessThanOrEqual(1)
  }
  const { recipients } = await expectCountersMatchRecipients(payload, campaignId)
  for (const r of recipients) {
    if (r.status === 'sent' || r.status === 'delivered' || r.status === 'read') {
      expect(args.counts.get(String(r.phoneNumber))).toBe(1)
    } else {
      expect(r.status).toBe('unknown')
    }
  }
}
