import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'

import type { CampaignStatus } from '../../src/collections/campaignStatuses.js'
import type { SendLoopArgs, SendLoopStore } from '../../src/sending/sendLoop.js'
import type { SendResult, TemplateMessage } from '../../src/sending/types.js'
import type { ClaimedRecipient, SendOutcome } from '../../src/store/index.js'

import { runSendLoop } from '../../src/sending/sendLoop.js'

/** An in-memory store: pending recipients claimed in order, outcomes kept per recipient. */
const fakeStore = (count: number) => {
  const pending: ClaimedRecipient[] = Array.from({ length: count }, (_, i) => ({
    id: `r${i}`,
    attempts: 0,
    parameters: { '1': `name ${i}` },
    phoneNumber: `9190000${String(i).padStart(5, '0')}`,
  }))
  const claimed = new Set<string>()
  const outcomes = new Map<string, SendOutcome[]>()
  let status: CampaignStatus = 'running'
  let nextSlot = 0
  const reservations: Array<{ count: number; intervalMs: number }> = []
  const store: SendLoopStore = {
    campaignStatus: () => Promise.resolve(status),
    claimBatch: (_campaignId, limit) => {
      const batch = pending.splice(0, limit)
      batch.forEach((r) => claimed.add(r.id))
      return Promise.resolve(batch)
    },
    recordOutcomes: (_campaignId, list) => {
      for (const outcome of list) {
        outcomes.set(outcome.id, [...(outcomes.get(outcome.id) ?? []), outcome])
      }
      return Promise.resolve()
    },
    // One shared schedule, as the real stores keep in the database.
    reserveSlots: (_key, slots, intervalMs) => {
      reservations.push({ count: slots, intervalMs })
      const first = Math.max(nextSlot, Date.now())
      nextSlot = first + slots * intervalMs
      return Promise.resolve(first)
    },
  }
  return {
    claimed,
    outcomes,
    pending,
    reservations,
    setStatus: (next: CampaignStatus) => (status = next),
    store,
  }
}

/** A sender answering with `answer` per attempt, recording every request with its time. */
const fakeSender = (answer: (message: TemplateMessage, attempt: number) => SendResult) => {
  const sent: Array<{ at: number; message: TemplateMessage }> = []
  const attempts = new Map<string, number>()
  const send = (message: TemplateMessage) => {
    const attempt = (attempts.get(message.to) ?? 0) + 1
    attempts.set(message.to, attempt)
    sent.push({ at: Date.now(), message })
    return Promise.resolve(answer(message, attempt))
  }
  return { send, sent }
}

const ok = (message: TemplateMessage): SendResult => ({ messageId: `m-${message.to}`, ok: true })

const loop = (
  fake: ReturnType<typeof fakeStore>,
  send: SendLoopArgs['send'],
  over: Partial<SendLoopArgs> = {},
) =>
  runSendLoop({
    campaignId: 'c1',
    excludedPhones: () => Promise.resolve(new Map()),
    language: 'en',
    messagesPerSecond: 200,
    phoneNumberId: 'p1',
    renderComponents: (r) => [
      { type: 'body', parameters: [{ type: 'text', text: r.parameters['1'] }] },
    ],
    send,
    store: fake.store,
    templateName: 'hello',
    ...over,
  })

describe('send loop (fake store and sender)', () => {
  test('sends each claimed recipient once, with its components, and records it sent', async () => {
    const fake = fakeStore(250)
    const sender = fakeSender(ok)
    expect(await loop(fake, sender.send)).toEqual({ reason: 'drained' })
    const phones = sender.sent.map((s) => s.message.to)
    expect(new Set(phones).size).toBe(250)
    expect(phones).toHaveLength(250)
    expect(sender.sent[0].message).toEqual({
      components: [{ type: 'body', parameters: [{ type: 'text', text: 'name 0' }] }],
      language: 'en',
      templateName: 'hello',
      to: '919000000000',
    })
    expect(fake.outcomes.size).toBe(250)
    for (const [id, list] of fake.outcomes) {
      expect(list, id).toHaveLength(1)
      expect(list[0]).toMatchObject({ id, kind: 'sent' })
    }
  })

  test('stops on pause: sends nothing more, gives back every claimed recipient it did not send', async () => {
    const fake = fakeStore(2000)
    const sender = fakeSender((message) => {
      if (sender.sent.length === 30) {
        fake.setStatus('paused')
      }
      return ok(message)
    })
    expect(await loop(fake, sender.send, { messagesPerSecond: 50 })).toEqual({ reason: 'stopped' })
    // The status is checked every second: at most about a second of sends follow the pause.
    expect(sender.sent.length).toBeGreaterThanOrEqual(30)
    expect(sender.sent.length).toBeLessThan(100)
    const kinds = { released: 0, sent: 0 }
    for (const id of fake.claimed) {
      const list = fake.outcomes.get(id) ?? []
      expect(list, id).toHaveLength(1)
      kinds[list[0].kind as keyof typeof kinds]++
    }
    expect(kinds.sent).toBe(sender.sent.length)
    expect(kinds.released).toBe(fake.claimed.size - sender.sent.length)
    expect(fake.pending.length + fake.claimed.size).toBe(2000)
  })

  test('records each outcome: permanent failure, retried transient, unknown, opted out', async () => {
    const fake = fakeStore(4)
    const sender = fakeSender((message, attempt): SendResult => {
      switch (message.to) {
        case '919000000000':
          return { error: { code: 131026, kind: 'permanent', message: 'undeliverable' }, ok: false }
        case '919000000001':
          return attempt < 2
            ? { error: { code: 1, kind: 'transient', message: 'try later' }, ok: false }
            : ok(message)
        case '919000000002':
          return {
            error: { kind: 'transient', message: 'timed out', outcomeUnknown: true },
            ok: false,
          }
        default:
          return ok(message)
      }
    })
    const result = await loop(fake, sender.send, {
      excludedPhones: () =>
        Promise.resolve(new Map([['919000000003', 'The contact opted out; not sent.']])),
    })
    expect(result).toEqual({ reason: 'drained' })
    expect(fake.outcomes.get('r0')).toEqual([
      {
        id: 'r0',
        attempts: 0,
        errorCode: 131026,
        errorMessage: 'undeliverable',
        kind: 'failed',
        retryable: false,
      },
    ])
    expect(fake.outcomes.get('r1')).toEqual([
      { id: 'r1', kind: 'sent', messageId: 'm-919000000001', sentAt: expect.any(Date) },
    ])
    expect(fake.outcomes.get('r2')?.[0]).toMatchObject({ kind: 'unknown' })
    expect(fake.outcomes.get('r3')?.[0]).toMatchObject({ kind: 'failed', retryable: false })
    // The opted-out phone was never sent; the unknown one was not sent again.
    expect(sender.sent.map((s) => s.message.to).sort()).toEqual([
      '919000000000',
      '919000000001',
      '919000000001',
      '919000000002',
    ])
  })

  test('the messaging limit: sends the room it got, releases the rest of the batch, ends waiting', async () => {
    const fake = fakeStore(1000)
    const sender = fakeSender(ok)
    const resumeAt = new Date(Date.now() + 86_400_000)
    let room = 250
    const asked: string[][] = []
    const givenBack: string[] = []
    const result = await loop(fake, sender.send, {
      releaseRecipients: (reservation, phones) => {
        expect(reservation.token).toBe('r1')
        givenBack.push(...phones)
        return Promise.resolve()
      },
      // A portfolio with 250 left: each batch takes what remains.
      reserveRecipients: (phones) => {
        asked.push(phones)
        const allowed = phones.slice(0, room)
        room -= allowed.length
        return Promise.resolve({
          allowed,
          fresh: allowed,
          resumeAt: allowed.length < phones.length ? resumeAt : null,
          token: 'r1',
        })
      },
    })
    expect(result).toEqual({ reason: 'waiting', resumeAt })
    expect(sender.sent).toHaveLength(250)
    expect(new Set(sender.sent.map((s) => s.message.to)).size).toBe(250)
    // Every phone sent had room; every claimed recipient not sent went back to pending.
    expect(asked.flat().slice(0, 250)).toEqual(sender.sent.map((s) => s.message.to))
    // No batch is claimed after the one the limit cut short.
    expect(asked).toHaveLength(1)
    for (const id of fake.claimed) {
      const list = fake.outcomes.get(id) ?? []
      expect(list, id).toHaveLength(1)
    }
    const released = [...fake.outcomes.values()].filter((l) => l[0].kind === 'released')
    expect(released).toHaveLength(fake.claimed.size - 250)
    expect(fake.pending.length + fake.claimed.size).toBe(1000)
    // The recipients not sent are offered back (the store gives back only the room it took).
    expect(givenBack.sort()).toEqual(asked[0].slice(250).sort())
  })

  test('an account error stops the loop and releases the recipient it refused', async () => {
    const fake = fakeStore(3)
    const sender = fakeSender(() => ({
      error: { code: 190, kind: 'account', message: 'token expired' },
      ok: false,
    }))
    const result = await loop(fake, sender.send)
    expect(result).toMatchObject({ reason: 'refused', refusal: { code: 190, kind: 'account' } })
    expect(sender.sent).toHaveLength(1)
    expect([...fake.outcomes.values()].flat().map((o) => o.kind)).toEqual([
      'released',
      'released',
      'released',
    ])
  })

  test('a template error (132015) stops the loop the same way, naming the template', async () => {
    const fake = fakeStore(3)
    const sender = fakeSender(() => ({
      error: { code: 132015, kind: 'template', message: 'Template is Paused' },
      ok: false,
    }))
    const result = await loop(fake, sender.send)
    expect(result).toMatchObject({ reason: 'refused', refusal: { code: 132015, kind: 'template' } })
    expect(sender.sent).toHaveLength(1)
    expect([...fake.outcomes.values()].flat().every((o) => o.kind === 'released')).toBe(true)
  })

  test('the error breaker stops the loop once the window is full and too many failed', async () => {
    const fake = fakeStore(100)
    // Every second recipient fails: 50%, above the 30% allowed.
    const sender = fakeSender((message) =>
      Number(message.to.slice(-1)) % 2 === 0
        ? {
            error: { code: 131026, kind: 'permanent', message: 'Message undeliverable' },
            ok: false,
          }
        : ok(message),
    )
    const result = await loop(fake, sender.send, {
      errorBreaker: { maxFailureRate: 0.3, window: 10 },
    })
    expect(result).toEqual({
      breaker: expect.stringMatching(
        /5 of the last 10 sends failed.*131026: Message undeliverable/,
      ),
      reason: 'breaker',
    })
    // Stopped right after the tenth outcome, give or take what was in flight; the rest are pending again.
    expect(sender.sent.length).toBeGreaterThanOrEqual(10)
    expect(sender.sent.length).toBeLessThan(20)
    const kinds = [...fake.outcomes.values()].flat().map((o) => o.kind)
    expect(kinds.filter((k) => k === 'released').length).toBe(100 - sender.sent.length)
  })

  test('the error breaker stays closed at or below the rate, and when disabled', async () => {
    const failingEvery = (n: number) =>
      fakeSender((message) =>
        Number(message.to.slice(-2)) % n === 0
          ? { error: { code: 131026, kind: 'permanent', message: 'undeliverable' }, ok: false }
          : ok(message),
      )
    // One in four fails (25%) under a 30% limit.
    expect(
      await loop(fakeStore(100), failingEvery(4).send, {
        errorBreaker: { maxFailureRate: 0.3, window: 20 },
      }),
    ).toEqual({ reason: 'drained' })
    // Half fail, but the breaker is off.
    expect(await loop(fakeStore(100), failingEvery(2).send, { errorBreaker: false })).toEqual({
      reason: 'drained',
    })
  })

  test('respects the pacer: sends spaced on the shared schedule, never above the rate in a second', async () => {
    const fake = fakeStore(120)
    const sender = fakeSender(ok)
    const started = Date.now()
    await loop(fake, sender.send, { messagesPerSecond: 100 })
    const interval = 1000 / (100 * 0.97)
    expect(fake.reservations[0]).toEqual({ count: 100, intervalMs: interval })
    const times = sender.sent.map((s) => s.at)
    // 120 sends at 97/s take at least 119 intervals.
    expect(Date.now() - started).toBeGreaterThanOrEqual(Math.floor(119 * interval))
    for (const [i, at] of times.entries()) {
      expect(
        times.filter((t) => t >= at && t < at + 1000).length,
        `window at send ${i}`,
      ).toBeLessThanOrEqual(100)
    }
  })

  test('a send that missed its slot goes at the next one, without using up an attempt', async () => {
    const fake = fakeStore(20)
    const slots = new Map<string, number[]>()
    const result = await loop(
      fake,
      (message, { at }) => {
        const mine = [...(slots.get(message.to) ?? []), at]
        slots.set(message.to, mine)
        // Every first try is missed (the sender was stalled past its latest time).
        return Promise.resolve(mine.length === 1 ? { missed: true, ok: false } : ok(message))
      },
      { maxAttempts: 1, messagesPerSecond: 100 },
    )
    expect(result).toEqual({ reason: 'drained' })
    const kinds = [...fake.outcomes.values()].map((list) => list.map((o) => o.kind))
    expect(kinds).toEqual(Array.from({ length: 20 }, () => ['sent']))
    // Each second try had a slot of its own, later than the first.
    const all = [...slots.values()].flat()
    expect(new Set(all).size).toBe(40)
    for (const [first, second] of slots.values()) {
      expect(second).toBeGreaterThan(first)
    }
  })
})

// Timing on fake timers: on a loaded machine (CI) a real timer can fire late.
describe('send loop in time (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('between batches no send waits on the database: the next batch comes with its checks', async () => {
    // Every database read and the messaging-limit reservation take 100 ms, as under load; at
    // 100/s a send is due every 10.3 ms, so waiting on them at a batch boundary would leave a gap.
    const fake = fakeStore(600)
    const slow = <T>(value: () => Promise<T>) =>
      new Promise<T>((resolve) => setTimeout(() => resolve(value()), 100))
    const { campaignStatus, claimBatch } = fake.store
    fake.store.campaignStatus = (id) => slow(() => campaignStatus(id))
    fake.store.claimBatch = (id, limit) => slow(() => claimBatch(id, limit))
    const sender = fakeSender(ok)
    const run = loop(fake, sender.send, {
      messagesPerSecond: 100,
      onBatch: () => slow(() => Promise.resolve()),
      reserveRecipients: (phones) =>
        slow(() => Promise.resolve({ allowed: phones, fresh: phones, resumeAt: null, token: 't' })),
    })
    await vi.advanceTimersByTimeAsync(20_000)
    await run
    expect(sender.sent).toHaveLength(600)
    const times = sender.sent.map((s) => s.at)
    const gaps = times.slice(1).map((t, i) => t - times[i])
    // Three batches of 200, and no gap between sends longer than two slots.
    expect(Math.max(...gaps)).toBeLessThan((2 * 1000) / (100 * 0.97))
  })

  test('with a lead, a sender that waits gets each message that long before its slot', async () => {
    const fake = fakeStore(60)
    const calls: Array<{ at: number; calledAt: number }> = []
    const run = loop(
      fake,
      (message, { at }) => {
        calls.push({ at, calledAt: Date.now() })
        return Promise.resolve(ok(message))
      },
      { messagesPerSecond: 100, sendLeadMs: 100 },
    )
    await vi.advanceTimersByTimeAsync(5_000)
    await run
    expect(calls).toHaveLength(60)
    const interval = 1000 / (100 * 0.97)
    for (const [i, { at, calledAt }] of calls.entries()) {
      // Handed over about 100 ms ahead (the first slots come before the lead has passed).
      expect(at - calledAt, `send ${i}`).toBeLessThanOrEqual(102)
      if (i > 0) {
        expect(at - calls[i - 1].at, `send ${i}`).toBeCloseTo(interval, 3)
      }
    }
    expect(calls.slice(10).every(({ at, calledAt }) => at - calledAt >= 90)).toBe(true)
  })

  test('records outcomes every half second of sending, not once the whole batch is sent', async () => {
    // 40/s: batches of 80 (two seconds); results of the first 20 must be recorded long before
    // the batch's last send, as a status webhook that beats its send result waits for them.
    const fake = fakeStore(80)
    const recordedAt = new Map<string, number>()
    const recordOutcomes = fake.store.recordOutcomes
    fake.store.recordOutcomes = (campaignId, list) => {
      list.forEach((o) => recordedAt.set(o.id, Date.now()))
      return recordOutcomes(campaignId, list)
    }
    const sender = fakeSender(ok)
    const run = loop(fake, sender.send, { messagesPerSecond: 40 })
    await vi.advanceTimersByTimeAsync(10_000)
    await run
    const lastSentAt = Math.max(...sender.sent.map((s) => s.at))
    expect(recordedAt.size).toBe(80)
    for (const [i, sent] of sender.sent.slice(0, 20).entries()) {
      const id = `r${i}`
      expect(recordedAt.get(id)! - sent.at, id).toBeLessThan(800)
      expect(recordedAt.get(id)!, id).toBeLessThan(lastSentAt - 1000)
    }
  })

  test("throughput errors do not use up a recipient's attempts; the number pauses instead", async () => {
    const fake = fakeStore(10)
    const tries = new Map<string, number>()
    const send = (message: TemplateMessage): Promise<SendResult> => {
      const n = (tries.get(message.to) ?? 0) + 1
      tries.set(message.to, n)
      // Five 130429s for each recipient, more than its four attempts.
      return Promise.resolve(
        n <= 5
          ? {
              error: { code: 130429, kind: 'throttle', message: 'Rate limit hit' },
              ok: false,
            }
          : ok(message),
      )
    }
    const run = loop(fake, send, { maxAttempts: 4, messagesPerSecond: 20 })
    await vi.advanceTimersByTimeAsync(120_000)
    await run
    const kinds = [...fake.outcomes.values()].map((list) => list.at(-1)!.kind)
    expect(kinds).toEqual(Array.from({ length: 10 }, () => 'sent'))
    expect([...tries.values()]).toEqual(Array.from({ length: 10 }, () => 6))
  })

  test('keeps fewer sends in flight as Meta slows down, so none waits past the timeout', async () => {
    // 500/s against a Meta answering one request after another, 100 a second at first and
    // 12 a second five seconds later; a send waiting longer than the 15 s timeout ends unknown,
    // as the Graph client's does.
    const fake = fakeStore(1000)
    const start = Date.now()
    let free = start
    const waits: number[] = []
    const send = async (message: TemplateMessage): Promise<SendResult> => {
      const startedAt = Date.now()
      const perSecond = Math.max(12, 100 - (18 * (startedAt - start)) / 1000)
      free = Math.max(startedAt, free) + 1000 / perSecond
      const answerAt = free
      await new Promise((resolve) =>
        setTimeout(resolve, Math.min(answerAt, startedAt + 15_000) - startedAt),
      )
      waits.push(Date.now() - startedAt)
      return answerAt - startedAt > 15_000
        ? {
            error: { code: undefined, kind: 'transient', message: 'timeout', outcomeUnknown: true },
            ok: false,
          }
        : ok(message)
    }
    const run = loop(fake, send, { messagesPerSecond: 500, sendTimeoutMs: 15_000 })
    await vi.advanceTimersByTimeAsync(200_000)
    await run
    const kinds = [...fake.outcomes.values()].map((list) => list.at(-1)!.kind)
    expect(kinds.filter((kind) => kind === 'sent')).toHaveLength(1000)
    expect(Math.max(...waits)).toBeLessThan(15_000)
  })
})
