/**
 * The store's contract, on whichever database DATABASE_URI names: every primitive, each under
 * lost answers (its write applied, its caller told the connection dropped, the call retried),
 * gives the same campaign state as without faults.
 */
import type { Payload } from 'payload'

import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import type { CampaignStore, StorePrimitives, UnitPrimitives } from '../../src/store/index.js'

import {
  createCampaignStore,
  createRetryTransient,
  getStore,
  pricingOf,
  storePrimitives,
} from '../../src/store/index.js'
import { bootPayload, type TestApp } from '../helpers/bootPayload.js'
import { campaignDoc, createAccount, createCampaign } from '../helpers/fixtures.js'
import { rawDocuments } from '../helpers/rawDocuments.js'
import { startTcpProxy } from '../helpers/tcpProxy.js'
import { createDemoTemplates } from '../helpers/templates.js'
import { testDatabaseUri, usesPostgres } from '../helpers/testDatabase.js'

type PrimitiveName = Exclude<keyof StorePrimitives, 'atomicUnits'>

const eventsSlug = 'whatsapp-webhook-events'
const recipientsSlug = 'whatsapp-campaign-recipients'

let app: TestApp
let campaignFields: Record<string, unknown>

beforeAll(async () => {
  // No applier in the background: the tests drive batches themselves.
  app = await bootPayload('storecontract', {
    pluginOptions: { queue: false, webhookApplier: { enabled: false } },
  })
  const accountId = (await createAccount(app.payload)).id
  const templates = await createDemoTemplates(app.payload, accountId)
  campaignFields = { account: accountId, audienceType: 'contacts', template: templates.hello_world }
})
afterAll(async () => {
  await app?.close()
})

/** The retries' warnings, expected here by the dozen, are left out of the test output. */
const quietLogger = { warn: () => undefined } as unknown as Payload['logger']

const lostConnection = () =>
  Object.assign(new Error('test: the answer was lost'), { code: 'ECONNRESET' })

/**
 * A store over the primitives in which, within each store operation, the first call of each
 * named primitive is applied and then answered by a dropped connection; `fired` counts them.
 */
const storeLosingAnswers = (payload: Payload, names: PrimitiveName[]) => {
  const primitives = storePrimitives(payload)
  let armed = new Set<string>()
  const fired = new Map<string, number>()
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key, receiver) {
        const value = Reflect.get(object, key, receiver) as unknown
        if (typeof value !== 'function' || !names.includes(key as PrimitiveName)) {
          return value
        }
        return async (...args: unknown[]) => {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(
            object,
            args,
          )
          if (armed.delete(String(key))) {
            fired.set(String(key), (fired.get(String(key)) ?? 0) + 1)
            throw lostConnection()
          }
          return result
        }
      },
    })
  const faulty = wrap({
    ...primitives,
    // Writes inside a unit lose their answers too (on Postgres: inside its transaction).
    unit: <T>(work: (tx: UnitPrimitives) => Promise<T>) => primitives.unit((tx) => work(wrap(tx))),
  })
  const store = createCampaignStore(faulty, createRetryTransient(quietLogger, 20_000))
  const armedStore = new Proxy(store, {
    get(object, key, receiver) {
      const value = Reflect.get(object, key, receiver) as unknown
      if (typeof value !== 'function') {
        return value
      }
      return (...args: unknown[]) => {
        armed = new Set(names)
        return (value as (...a: unknown[]) => unknown).apply(object, args)
      }
    },
  })
  return { fired, store: armedStore }
}

const eventsFor = async (payload: Payload, messageId: string) =>
  (await rawDocuments(payload, eventsSlug)).filter((e) => e.messageId === messageId)

/** The applier's batch of the pending statuses whose message id starts with `prefix`. */
const applyPendingStatuses = async (store: CampaignStore, prefix: string) =>
  store.applyStatusEvents(
    (await store.pendingEvents(10_000))
      .filter((e) => e.kind === 'status' && e.messageId?.startsWith(prefix))
      .map((e) => ({
        id: e.id,
        applyOp: e.applyOp,
        errorCode: e.errorCode,
        messageId: e.messageId!,
        pricing: pricingOf(e.payload),
        status: e.status as 'delivered',
        timestamp: e.timestamp!,
      })),
  )

/** Status events of these messages, logged as a webhook logs them. */
const statusEvents = (
  events: Array<{
    messageId: string
    payload?: Record<string, unknown>
    status: string
    timestamp?: Date
  }>,
) =>
  events.map(({ payload = {}, timestamp = new Date(), ...event }) => ({
    ...event,
    kind: 'status' as const,
    payload,
    timestamp,
  }))

/**
 * countRecentSends, the frequency cap's count, over two campaigns of `tag`'s own phones: per
 * phone, MARKETING messages sent within the window or still queued, in other campaigns only.
 */
const frequencyCapCounts = async (
  payload: Payload,
  store: CampaignStore,
  storyCampaign: string,
  tag: string,
) => {
  const phone = (i: number) => `cap-${tag}-${i}`
  const [a, b] = await Promise.all(
    [0, 1].map(async () => String((await createCampaign(payload, campaignFields)).id)),
  )
  const dayMs = 24 * 60 * 60 * 1000
  await store.insertRecipients(a, [
    { name: 'now', phoneNumber: phone(0), status: 'pending', templateCategory: 'MARKETING' },
    { name: 'old', phoneNumber: phone(1), status: 'pending', templateCategory: 'MARKETING' },
    { phoneNumber: phone(2), status: 'pending', templateCategory: 'UTILITY' },
    { errorMessage: 'x', phoneNumber: phone(3), status: 'failed', templateCategory: 'MARKETING' },
  ])
  const claimed = Object.fromEntries((await store.claimBatch(a, 2)).map((c) => [c.name, c]))
  await store.recordOutcomes(a, [
    { id: claimed.now!.id, kind: 'sent', messageId: `wamid.${tag}.cap0`, sentAt: new Date() },
    {
      id: claimed.old!.id,
      kind: 'sent',
      messageId: `wamid.${tag}.cap1`,
      sentAt: new Date(Date.now() - 10 * dayMs),
    },
  ])
  await store.insertRecipients(b, [
    { phoneNumber: phone(0), status: 'pending', templateCategory: 'MARKETING' },
  ])
  const count = (exceptCampaign: string, since: Date, category = 'MARKETING') =>
    store.countRecentSends({
      category,
      exceptCampaign,
      phones: [0, 1, 2, 3, 4].map(phone),
      since,
    })
  const weekAgo = new Date(Date.now() - 7 * dayMs)
  // Sent now in a, queued in b; sent 10 days ago, UTILITY and failed-unsent do not count.
  expect(await count(storyCampaign, weekAgo)).toEqual(new Map([[phone(0), 2]]))
  expect(await count(a, weekAgo)).toEqual(new Map([[phone(0), 1]]))
  expect(await count(storyCampaign, new Date(Date.now() - 30 * dayMs))).toEqual(
    new Map([
      [phone(0), 2],
      [phone(1), 1],
    ]),
  )
  expect(await count(storyCampaign, weekAgo, 'UTILITY')).toEqual(new Map([[phone(2), 1]]))
  expect(await count(storyCampaign, new Date(Date.now() + 60_000))).toEqual(new Map())
  await store.deleteRecipients(a)
  await store.deleteRecipients(b)
}

/**
 * One campaign through every store operation, with its expected state checked along the way.
 * `tag` keeps its message ids and schedule apart from other runs.
 */
const campaignStory = async (
  payload: Payload,
  store: CampaignStore,
  tag: string,
  faulted: PrimitiveName[] = [],
) => {
  const id = String((await createCampaign(payload, campaignFields)).id)
  const message = (i: number) => `wamid.${tag}.${i}`
  const started = new Date(Date.now() - 1000)

  await store.insertRecipients(id, [
    ...[0, 1, 2, 3, 4].map((i) => ({
      name: `r${i}`,
      phoneNumber: `91980000000${i}`,
      status: 'pending' as const,
    })),
    { errorCode: 1, errorMessage: 'zeta', phoneNumber: '919800000005', status: 'failed' },
    { errorCode: 1, errorMessage: 'alpha', phoneNumber: '919800000006', status: 'failed' },
  ])
  await store.recount(id)
  expect(await campaignDoc(payload, id)).toMatchObject({ failedCount: 2, totalCount: 7 })

  // A delivered status that arrives before its send result, and an event of another kind.
  const eventIds = await store.logEvents([
    {
      kind: 'status',
      messageId: message(0),
      payload: { tag },
      status: 'delivered',
      timestamp: new Date(),
    },
    { kind: 'other', messageId: message(99), payload: { tag } },
  ])
  expect(eventIds).toHaveLength(2)
  expect(new Set(eventIds).size).toBe(2)
  expect(await eventsFor(payload, message(0))).toHaveLength(1)
  expect(await eventsFor(payload, message(99))).toHaveLength(1)

  const claimed = await store.claimBatch(id, 10)
  expect(claimed).toHaveLength(5)
  expect(claimed.every((r) => r.attempts === 1)).toBe(true)
  const r = Object.fromEntries(claimed.map((c) => [c.name, c]))
  expect(await store.claimBatch(id, 10)).toEqual([])

  await store.recordOutcomes(id, [
    { id: r.r0!.id, kind: 'sent', messageId: message(0), sentAt: new Date() },
    { id: r.r1!.id, kind: 'sent', messageId: message(1), sentAt: new Date() },
    { id: r.r2!.id, errorCode: 131049, errorMessage: 'limit', kind: 'failed', retryable: true },
    { id: r.r3!.id, errorMessage: 'lost', kind: 'unknown' },
    { id: r.r4!.id, kind: 'released' },
  ])
  // The early delivered status went back to the applier with its send; its next batch applies
  // it once, and marks it so.
  await applyPendingStatuses(store, `wamid.${tag}.`)
  expect(await eventsFor(payload, message(0))).toMatchObject([{ applied: true }])
  expect(await campaignDoc(payload, id)).toMatchObject({
    deliveredCount: 1,
    failedCount: 3,
    sentCount: 2,
    unknownCount: 1,
  })

  await frequencyCapCounts(payload, store, id, tag)

  // A read twice, an older delivered, and a status of a message not sent yet, which waits.
  const read = { messageId: message(1), status: 'read' }
  await store.logEvents(
    statusEvents([
      read,
      read,
      { ...read, status: 'delivered', timestamp: new Date(0) },
      { ...read, messageId: message(50) },
    ]),
  )
  await applyPendingStatuses(store, `wamid.${tag}.`)
  expect((await eventsFor(payload, message(1))).map((e) => e.applied)).toEqual([true, true, true])
  expect(await eventsFor(payload, message(50))).toMatchObject([{ applied: false, waiting: true }])

  expect(await store.countByStatus(id)).toEqual({
    delivered: 1,
    failed: 3,
    pending: 1,
    read: 1,
    sending: 0,
    sent: 0,
    unknown: 1,
  })
  expect(await store.failuresByCode(id, 10)).toEqual([
    { count: 2, errorCode: 1, errorMessage: 'alpha' },
    { count: 1, errorCode: 131049, errorMessage: 'limit' },
  ])
  const timeline = await store.timeline(id)
  const total = (key: 'delivered' | 'read' | 'sent') =>
    timeline.reduce((sum, point) => sum + point[key], 0)
  expect([total('sent'), total('delivered'), total('read')]).toEqual([2, 2, 1])
  expect(timeline.every((point) => /^\d{4}-\d\d-\d\dT\d\d:\d\d$/.test(point.at))).toBe(true)
  expect(await store.sentSince(id, started)).toBe(2)

  // The released recipient got its attempt back; its second claim goes stale.
  const again = await store.claimBatch(id, 10)
  expect(again.map((c) => [c.name, c.attempts])).toEqual([['r4', 1]])
  expect(await store.markStaleClaimsUnknown(id, new Date(Date.now() + 60_000))).toBe(1)
  expect(await campaignDoc(payload, id)).toMatchObject({
    deliveredCount: 2,
    failedCount: 3,
    readCount: 1,
    sentCount: 2,
    totalCount: 7,
    unknownCount: 2,
  })

  expect(await store.transition(id, ['draft'], { startedAt: started, status: 'running' })).toBe(
    true,
  )
  expect(await store.transition(id, ['draft'], { status: 'cancelled' })).toBe(false)
  expect(await store.campaignStatus(id)).toBe('running')
  await store.updateCampaign(id, { error: `checked ${tag}` })
  expect(await campaignDoc(payload, id)).toMatchObject({
    error: `checked ${tag}`,
    status: 'running',
  })

  // The 131049 failure waits a day (its not-before time); the store's clock can be moved.
  expect(await store.requeue(id, { failedRetryable: true, unknown: true })).toBe(2)
  const nextDay = new Date(Date.now() + 25 * 60 * 60 * 1000)
  expect(await store.requeue(id, { failedRetryable: true, now: nextDay })).toBe(1)
  expect(await campaignDoc(payload, id)).toMatchObject({
    deliveredCount: 2,
    failedCount: 2,
    readCount: 1,
    sentCount: 2,
    totalCount: 7,
    unknownCount: 0,
  })

  const first = await store.reserveSlots(`schedule-${tag}`, 3, 1000)
  const second = await store.reserveSlots(`schedule-${tag}`, 2, 1000)
  expect(second).toBeGreaterThanOrEqual(first + 3000)
  // A reservation that does not move the schedule's end (a throughput pause already covered by
  // reserved slots) answers at once, with that end: MongoDB reports such an update unmodified.
  const end = (await store.reserveSlots(`schedule-${tag}`, 1, 10 * 60 * 1000)) + 10 * 60 * 1000
  expect(await store.reserveSlots(`schedule-${tag}`, 1, 0)).toBe(end)
  expect(await store.reserveSlots(`schedule-${tag}`, 1, 0)).toBe(end)

  // A portfolio's messaging limit: 3 unique recipients in any hour, the clock moved by hand.
  const portfolio = `portfolio-${tag}`
  const hour = 60 * 60 * 1000
  const t0 = new Date()
  const at = (ms: number) => ({ limit: 3, now: new Date(t0.getTime() + ms), windowMs: hour })
  expect(await store.limitUsage(`unused-${tag}`, at(0))).toEqual({ oldest: null, used: 0 })
  const reserve = async (phones: string[], ms: number) => {
    const { allowed, resumeAt } = await store.reserveRecipients(portfolio, phones, at(ms))
    return { allowed: allowed.sort(), resumeAt: resumeAt?.getTime() ?? null }
  }
  expect(await reserve(['p1', 'p2', 'p1'], 0)).toEqual({ allowed: ['p1', 'p2'], resumeAt: null })
  // p1 was messaged within the hour: it counts once, and from now on.
  expect(await reserve(['p1', 'p3', 'p4'], 60_000)).toEqual({
    allowed: ['p1', 'p3'],
    resumeAt: t0.getTime() + hour,
  })
  expect(await store.limitUsage(portfolio, at(60_000))).toEqual({ oldest: t0, used: 3 })
  // An hour on, p2 left the window: its room goes to p4; p1 and p3 still count.
  expect(await reserve(['p4', 'p5'], hour + 1000)).toEqual({
    allowed: ['p4'],
    resumeAt: t0.getTime() + 60_000 + hour,
  })
  // A reservation not sent after all gives back only the room it took: p6's, not p4's.
  const later = at(hour + 61_000)
  const taken = await store.reserveRecipients(portfolio, ['p4', 'p6'], later)
  expect([taken.allowed.sort(), taken.fresh, taken.resumeAt]).toEqual([['p4', 'p6'], ['p6'], null])
  await store.releaseRecipients(portfolio, taken, ['p4', 'p6'])
  expect(await store.limitUsage(portfolio, later)).toMatchObject({ used: 1 })
  expect((await reserve(['p7', 'p8', 'p9'], hour + 61_000)).allowed).toEqual(['p7', 'p8'])

  await store.markEventsApplied([eventIds[1]])
  expect(await eventsFor(payload, message(99))).toMatchObject([{ applied: true }])
  const pruned = await store.pruneEvents(new Date(Date.now() + 1000))
  // A retried delete cannot know what its lost first try deleted; the rows tell.
  if (!faulted.includes('pruneEvents')) {
    expect(pruned).toBeGreaterThanOrEqual(2)
  }
  expect(await eventsFor(payload, message(99))).toEqual([])
  expect(await eventsFor(payload, message(0))).toEqual([])

  await store.deleteRecipients(id)
  const left = (await rawDocuments(payload, recipientsSlug)).filter(
    (doc) => String(doc.campaign ?? doc.campaignId) === id,
  )
  expect(left).toEqual([])
}

/**
 * A batch of webhook status events through the applier's store operations: several events for
 * one message fold into its furthest status, a duplicate and a lower status change nothing, an
 * unknown message id waits for its send; counters move once.
 */
const batchStory = async (payload: Payload, store: CampaignStore, tag: string) => {
  const id = String((await createCampaign(payload, campaignFields)).id)
  const message = (i: number) => `wamid.batch.${tag}.${i}`
  await store.insertRecipients(
    id,
    [0, 1, 2].map((i) => ({ phoneNumber: `91970000000${i}`, status: 'pending' as const })),
  )
  await store.recount(id)
  const claimed = await store.claimBatch(id, 10)
  await store.recordOutcomes(
    id,
    claimed.map((r, i) => ({ id: r.id, kind: 'sent', messageId: message(i), sentAt: new Date() })),
  )
  const t = Math.floor(Date.now() / 1000) * 1000
  const status = (i: number, value: string, seconds: number, errorCode?: number) => ({
    errorCode,
    kind: 'status' as const,
    messageId: message(i),
    payload: { tag },
    status: value,
    timestamp: new Date(t + seconds * 1000),
  })
  await store.logEvents([
    status(0, 'read', 5),
    status(0, 'delivered', 2),
    status(0, 'delivered', 3),
    status(1, 'failed', 1, 131026),
    status(1, 'delivered', 2),
    status(2, 'sent', 1),
    status(9, 'read', 1),
  ])
  const pending = (await store.pendingEvents(10_000)).filter((e) =>
    e.messageId?.startsWith(`wamid.batch.${tag}.`),
  )
  expect(pending).toHaveLength(7)
  expect(await store.backlog()).toBeGreaterThanOrEqual(7)
  const result = await applyPendingStatuses(store, `wamid.batch.${tag}.`)
  expect(result.waiting).toBe(1)
  expect(await campaignDoc(payload, id)).toMatchObject({
    deliveredCount: 1,
    failedCount: 1,
    readCount: 1,
    sentCount: 3,
  })
  const recipients = Object.fromEntries(
    (await rawDocuments(payload, recipientsSlug))
      .filter((doc) => String(doc.campaign ?? doc.campaignId) === id)
      .map((doc) => [String(doc.messageId), doc]),
  )
  expect(recipients[message(0)]).toMatchObject({ status: 'read' })
  expect(new Date(String(recipients[message(0)].deliveredAt)).getTime()).toBe(t + 2000)
  expect(new Date(String(recipients[message(0)].readAt)).getTime()).toBe(t + 5000)
  expect(recipients[message(1)]).toMatchObject({ status: 'failed' })
  expect(Number(recipients[message(1)].errorCode)).toBe(131026)
  expect(recipients[message(2)]).toMatchObject({ status: 'sent' })
  for (const i of [0, 1, 2]) {
    expect((await eventsFor(payload, message(i))).every((e) => e.applied === true)).toBe(true)
  }
  expect(await eventsFor(payload, message(9))).toMatchObject([{ applied: false, waiting: true }])
  expect(
    (await store.pendingEvents(10_000)).filter((e) =>
      e.messageId?.startsWith(`wamid.batch.${tag}.`),
    ),
  ).toEqual([])

  // One applier at a time: the lease is its holder's until it runs out.
  expect(await store.takeLease(`lease-${tag}`, 'first', 60_000)).toBe(true)
  expect(await store.takeLease(`lease-${tag}`, 'second', 60_000)).toBe(false)
  expect(await store.takeLease(`lease-${tag}`, 'first', 60_000)).toBe(true)
  expect(await store.takeLease(`lease-${tag}-short`, 'first', 1)).toBe(true)
  await new Promise((resolve) => setTimeout(resolve, 20))
  expect(await store.takeLease(`lease-${tag}-short`, 'second', 60_000)).toBe(true)
  // Given up by its holder only, it is free at once.
  await store.releaseLease(`lease-${tag}`, 'second')
  expect(await store.takeLease(`lease-${tag}`, 'second', 60_000)).toBe(false)
  await store.releaseLease(`lease-${tag}`, 'first')
  expect(await store.takeLease(`lease-${tag}`, 'second', 60_000)).toBe(true)
  expect(await store.takeLease(`lease-${tag}`, 'first', 60_000)).toBe(false)
}

/**
 * Replies and button taps: one that arrives before its send result waits and is applied when
 * the result lands, duplicates count once, an earlier reply arriving later takes the first's
 * place, and the counter equals a recount.
 */
const replyStory = async (payload: Payload, store: CampaignStore, tag: string) => {
  const id = String((await createCampaign(payload, campaignFields)).id)
  const message = (i: number) => `wamid.reply.${tag}.${i}`
  await store.insertRecipients(
    id,
    [0, 1, 2, 3].map((i) => ({ phoneNumber: `91950000000${i}`, status: 'pending' as const })),
  )
  await store.recount(id)
  const claimed = await store.claimBatch(id, 10)
  const t = Math.floor(Date.now() / 1000) * 1000
  const reply = (i: number, seconds: number, answer: { button?: string; text?: string }) => ({
    kind: 'reply' as const,
    messageId: message(i),
    payload: answer,
    timestamp: new Date(t + seconds * 1000),
  })
  const applyPending = async () =>
    store.applyReplies(
      (await store.pendingEvents(10_000))
        .filter((e) => e.kind === 'reply' && e.messageId?.startsWith(`wamid.reply.${tag}.`))
        .map((e) => {
          const answer = e.payload as { button?: string; text?: string }
          return { id: e.id, ...answer, messageId: e.messageId!, timestamp: e.timestamp! }
        }),
    )
  // A tap and a priced status before the send result: they wait.
  await store.logEvents([
    reply(0, 1, { button: 'YES', text: 'Yes' }),
    {
      kind: 'status',
      messageId: message(3),
      payload: { pricing: { billable: true, category: 'marketing' } },
      status: 'delivered',
      timestamp: new Date(t + 1000),
    },
  ])
  expect(await applyPending()).toEqual({ applied: 0, waiting: 1 })
  await store.recordOutcomes(
    id,
    claimed.map((r, i) => ({ id: r.id, kind: 'sent', messageId: message(i), sentAt: new Date() })),
  )
  // They went back to the applier with their send: its next batch applies them.
  await applyPendingStatuses(store, `wamid.reply.${tag}.`)
  expect(await applyPending()).toEqual({ applied: 1, waiting: 0 })
  expect(await campaignDoc(payload, id)).toMatchObject({ repliedCount: 1 })
  // Pricing: the latest status's wins, whatever the order.
  const priced = (seconds: number, billable: boolean, category: string) => ({
    messageId: message(0),
    payload: { pricing: { billable, category } },
    status: seconds > 3 ? 'read' : 'delivered',
    timestamp: new Date(t + seconds * 1000),
  })
  await store.logEvents(statusEvents([priced(4, true, 'UTILITY')]))
  await applyPendingStatuses(store, `wamid.reply.${tag}.`)
  await store.logEvents(statusEvents([priced(2, false, 'SERVICE')]))
  await applyPendingStatuses(store, `wamid.reply.${tag}.`)
  const groups = await store.billableGroups([id])
  expect(groups.sort((a, b) => String(a.category).localeCompare(String(b.category)))).toEqual([
    { campaignId: id, category: 'MARKETING', count: 1, prefix: '919' },
    { campaignId: id, category: 'UTILITY', count: 1, prefix: '919' },
  ])
  await store.logEvents([
    reply(0, 1, { button: 'YES', text: 'Yes' }),
    reply(1, 5, { button: 'YES', text: 'Yes' }),
    reply(1, 2, { button: 'NO', text: 'No' }),
    reply(1, 2, { button: 'NO', text: 'No' }),
    reply(2, 3, { text: 'Who is this?' }),
    reply(9, 3, { text: 'not ours yet' }),
  ])
  expect(await applyPending()).toEqual({ applied: 5, waiting: 1 })
  expect(await campaignDoc(payload, id)).toMatchObject({ repliedCount: 3 })
  expect(await store.replyButtons(id)).toEqual([
    { button: 'NO', count: 1 },
    { button: 'YES', count: 1 },
  ])
  const byMessage = Object.fromEntries(
    (await rawDocuments(payload, recipientsSlug))
      .filter((doc) => String(doc.campaign ?? doc.campaignId) === id)
      .map((doc) => [String(doc.messageId), doc]),
  )
  expect(byMessage[message(1)]).toMatchObject({ replyButton: 'NO', replyText: 'No' })
  expect(new Date(String(byMessage[message(1)].repliedAt)).getTime()).toBe(t + 2000)
  expect(byMessage[message(2)]).toMatchObject({ replyButton: null, replyText: 'Who is this?' })
  expect(byMessage[message(3)]?.repliedAt ?? null).toBeNull()
  expect(await store.recipientByMessageId(message(1))).toEqual({
    id: String(byMessage[message(1)].id ?? byMessage[message(1)]._id),
    campaignId: id,
  })
  expect(await store.recipientByMessageId(message(9))).toBeUndefined()
  await store.recount(id)
  expect(await campaignDoc(payload, id)).toMatchObject({ repliedCount: 3 })
}

const primitiveNames: PrimitiveName[] = [
  'addBatchCounters',
  'addCounters',
  'billableGroups',
  'campaignStatus',
  'claim',
  'claimedBy',
  'countPending',
  'countRecentSends',
  'countReplied',
  'countSent',
  'countStamped',
  'countStatuses',
  'deleteRecipients',
  'ensureLimitSlots',
  'failureGroups',
  'insertEvents',
  'insertRecipients',
  'limitUsage',
  'lowerReply',
  'markEventsApplied',
  'markReplied',
  'markUnknown',
  'minuteCounts',
  'moveOutcomes',
  'moveStatuses',
  'newIds',
  'pendingEvents',
  'pruneEvents',
  'recipientsByMessageId',
  'recipientStatus',
  'refreshLimitSlots',
  'releaseLease',
  'releaseLimitSlots',
  'replyButtons',
  'requeue',
  'reserveSlots',
  'sentSince',
  'setCampaign',
  'setPricing',
  'settleEvents',
  'stampEvents',
  'statusStamped',
  'takeLease',
  'takeLimitSlots',
  'unit',
  'wakeWaiting',
]

/** Primitives called only after a lost answer, paired with one that loses it. */
const afterLostAnswer: Partial<Record<PrimitiveName, PrimitiveName>> = {
  claimedBy: 'claim',
  countStamped: 'moveOutcomes',
  statusStamped: 'markReplied',
}

describe('store contract', () => {
  test('the list of primitives is complete', () => {
    const names = Object.keys(storePrimitives(app.payload)).filter((n) => n !== 'atomicUnits')
    expect(names.sort()).toEqual([...primitiveNames].sort())
  })

  test('every operation, without faults', async () => {
    await campaignStory(app.payload, getStore(app.payload), 'plain')
    await batchStory(app.payload, getStore(app.payload), 'plain')
    await replyStory(app.payload, getStore(app.payload), 'plain')
  })

  test('a batch of status events cut short after its recipient writes is finished once by the next', async () => {
    const primitives = storePrimitives(app.payload)
    const killed = () => Promise.reject(new Error('test: the applier was killed here'))
    const dying = createCampaignStore(
      {
        ...primitives,
        unit: (work) => primitives.unit((tx) => work({ ...tx, addBatchCounters: killed })),
      },
      createRetryTransient(quietLogger, 20_000),
    )
    const store = getStore(app.payload)
    const id = String((await createCampaign(app.payload, campaignFields)).id)
    await store.insertRecipients(
      id,
      Array.from({ length: 20 }, (_, i) => ({
        phoneNumber: `9196000000${String(i).padStart(2, '0')}`,
        status: 'pending' as const,
      })),
    )
    const claimed = await store.claimBatch(id, 20)
    await store.recordOutcomes(
      id,
      claimed.map((r, i) => ({
        id: r.id,
        kind: 'sent',
        messageId: `wamid.cut.${i}`,
        sentAt: new Date(),
      })),
    )
    await store.logEvents(
      claimed.flatMap((_, i) =>
        ['delivered', ...(i % 2 ? ['read'] : [])].map((status) => ({
          kind: 'status' as const,
          messageId: `wamid.cut.${i}`,
          payload: {},
          status,
          timestamp: new Date(),
        })),
      ),
    )
    const batch = (target: CampaignStore) => applyPendingStatuses(target, 'wamid.cut.')
    await expect(batch(dying)).rejects.toThrow('killed')
    await batch(store)
    await batch(store)
    expect(await campaignDoc(app.payload, id)).toMatchObject({
      deliveredCount: 20,
      readCount: 10,
      sentCount: 20,
    })
    expect(await store.countByStatus(id)).toMatchObject({ delivered: 10, read: 10 })
  })

  describe('statuses that beat their send', () => {
    /** A campaign with one claimed recipient, and a delivered status for it logged and set waiting. */
    const waitingStatus = async (tag: string) => {
      const store = getStore(app.payload)
      const id = String((await createCampaign(app.payload, campaignFields)).id)
      await store.insertRecipients(id, [{ phoneNumber: '919620000000', status: 'pending' }])
      const [recipient] = await store.claimBatch(id, 1)
      const messageId = `wamid.${tag}.0`
      await store.logEvents(statusEvents([{ messageId, status: 'delivered' }]))
      const sent = [{ id: recipient.id, kind: 'sent' as const, messageId, sentAt: new Date() }]
      return { id, messageId, sent, store }
    }
    const expectDelivered = async (store: CampaignStore, id: string) => {
      expect(await campaignDoc(app.payload, id)).toMatchObject({ deliveredCount: 1, sentCount: 1 })
      expect(await store.countByStatus(id)).toMatchObject({ delivered: 1 })
    }

    test('go back to the applier in the write that records their send, should the process die right after', async () => {
      const { id, sent, store } = await waitingStatus('orphan')
      expect(await applyPendingStatuses(store, 'wamid.orphan.')).toMatchObject({ waiting: 1 })
      expect(await applyPendingStatuses(store, 'wamid.orphan.')).toMatchObject({ applied: 0 })
      const primitives = storePrimitives(app.payload)
      const dying = createCampaignStore(
        {
          ...primitives,
          // The process dies once the send's write has landed.
          wakeWaiting: () => Promise.reject(new Error('test: the worker was killed here')),
        },
        createRetryTransient(quietLogger, 20_000),
      )
      await expect(dying.recordOutcomes(id, sent)).rejects.toThrow('killed')
      expect(await applyPendingStatuses(store, 'wamid.orphan.')).toMatchObject({ applied: 1 })
      await expectDelivered(store, id)
    })

    test('set waiting by an applier that looked before their send was recorded are woken by its second look', async () => {
      const { id, sent, store } = await waitingStatus('lateset')
      const primitives = storePrimitives(app.payload)
      let looks = 0
      const applier = createCampaignStore(
        {
          ...primitives,
          recipientsByMessageId: async (messageIds) => {
            const found = await primitives.recipientsByMessageId(messageIds)
            // The send is recorded, whole, between the applier's look and its settling.
            if (looks++ === 0) {
              await store.recordOutcomes(id, sent)
            }
            return found
          },
        },
        createRetryTransient(quietLogger, 20_000),
      )
      expect(await applyPendingStatuses(applier, 'wamid.lateset.')).toMatchObject({ waiting: 1 })
      expect(await applyPendingStatuses(store, 'wamid.lateset.')).toMatchObject({ applied: 1 })
      await expectDelivered(store, id)
    })

    test('set waiting while their send was being recorded are woken once it has landed', async () => {
      const { id, messageId, sent, store } = await waitingStatus('midrecord')
      const primitives = storePrimitives(app.payload)
      const recording = createCampaignStore(
        {
          ...primitives,
          unit: (work) =>
            primitives.unit((tx) =>
              work({
                ...tx,
                // The applier's whole batch runs inside the send's write (on Postgres, before
                // its commit: both of the applier's looks miss the send).
                wakeWaiting: async (messageIds) => {
                  await tx.wakeWaiting(messageIds)
                  await applyPendingStatuses(store, 'wamid.midrecord.')
                },
              }),
            ),
        },
        createRetryTransient(quietLogger, 20_000),
      )
      await recording.recordOutcomes(id, sent)
      // On MongoDB the applier's batch found the send and applied the status; on Postgres it
      // set it waiting, and the wake after the commit hands it to the next batch.
      await applyPendingStatuses(store, 'wamid.midrecord.')
      await expectDelivered(store, id)
      expect(await eventsFor(app.payload, messageId)).toMatchObject([{ applied: true }])
    })
  })

  test('recount counts as sent a recipient whose message id is present and non-empty', async () => {
    const store = getStore(app.payload)
    const id = String((await createCampaign(app.payload, campaignFields)).id)
    await store.insertRecipients(id, [
      { phoneNumber: '919811111110', status: 'pending' },
      { phoneNumber: '919811111111', status: 'pending' },
    ])
    const [a, b] = await store.claimBatch(id, 2)
    await store.recordOutcomes(id, [
      { id: a.id, kind: 'sent', messageId: '', sentAt: new Date() },
      { id: b.id, kind: 'sent', messageId: 'wamid.nonempty', sentAt: new Date() },
    ])
    await store.recount(id)
    expect(await campaignDoc(app.payload, id)).toMatchObject({ sentCount: 1, totalCount: 2 })
  })

  test.each(primitiveNames)('%s: lost answers are retried without doubling', async (name) => {
    const names = [name, ...(afterLostAnswer[name] ? [afterLostAnswer[name]] : [])]
    const { fired, store } = storeLosingAnswers(app.payload, names)
    await campaignStory(app.payload, store, `lost-${name}`, names)
    await batchStory(app.payload, store, `lost-${name}`)
    await replyStory(app.payload, store, `lost-${name}`)
    expect(fired.get(name) ?? 0).toBeGreaterThan(0)
  })

  test('messaging limit: two processes reserving at once never count more than the limit', async () => {
    const retry = createRetryTransient(quietLogger, 20_000)
    // Two stores over primitives of their own, as two worker processes have.
    const stores = [getStore(app.payload), createCampaignStore(storePrimitives(app.payload), retry)]
    const limit = { limit: 250, now: new Date(), windowMs: 24 * 60 * 60 * 1000 }
    const phones = (batch: number) =>
      Array.from({ length: 100 }, (_, i) => `9198${String(batch * 100 + i).padStart(8, '0')}`)
    const results = await Promise.all(
      [0, 1, 2, 3, 4].map((batch) =>
        stores[batch % 2].reserveRecipients('portfolio-race', phones(batch), limit),
      ),
    )
    const allowed = results.flatMap((r) => r.allowed)
    expect(new Set(allowed).size).toBe(allowed.length)
    expect(allowed).toHaveLength(250)
    expect(results.every((r) => r.resumeAt === null || r.resumeAt > limit.now)).toBe(true)
    expect(await stores[0].limitUsage('portfolio-race', limit)).toMatchObject({ used: 250 })
    // Phones already counted go again without taking room; new ones wait.
    const again = await stores[1].reserveRecipients(
      'portfolio-race',
      [allowed[0], '919900000001'],
      limit,
    )
    expect(again.allowed).toEqual([allowed[0]])
    expect(again.resumeAt?.getTime()).toBeGreaterThan(limit.now.getTime())
  })

  test('logEvents whose answer is lost on the wire logs each event once', async () => {
    const databaseUri = testDatabaseUri('storecontractwire')
    const server = new URL(databaseUri)
    const proxy = await startTcpProxy({ host: server.hostname, port: Number(server.port) })
    const proxied = new URL(databaseUri)
    proxied.host = `127.0.0.1:${proxy.port}`
    const wired = await bootPayload('storecontractwire', {
      databaseUri: proxied.toString(),
      pluginOptions: { queue: false },
    })
    try {
      const insert = (bytes: Buffer) =>
        usesPostgres()
          ? bytes.includes('INSERT INTO') && bytes.includes('whatsapp_webhook_events')
          : bytes.includes('insert\0') && bytes.includes(`${eventsSlug}\0`)
      const cut = proxy.cutAfterNextRequest(500, insert)
      const records = [0, 1, 2].map((i) => ({
        kind: 'status' as const,
        messageId: `wamid.wire.${i}`,
        payload: {},
        status: 'sent',
        timestamp: new Date(),
      }))
      const [ids] = await Promise.all([getStore(wired.payload).logEvents(records), cut])
      expect(ids).toHaveLength(3)
      const logged = (await rawDocuments(wired.payload, eventsSlug)).map((e) => e.messageId)
      expect(logged.sort()).toEqual(records.map((e) => e.messageId))
    } finally {
      await wired.close()
      await proxy.close()
    }
  })
})
