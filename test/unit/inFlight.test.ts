import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'

import { InFlight } from '../../src/sending/inFlight.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A server answering one request at a time, `perSecond` a second, after `latencyMs` on the wire. */
const server = (perSecond: number, latencyMs = 0) => {
  let free = 0
  return async () => {
    const done = Math.max(Date.now(), free) + 1000 / perSecond
    free = done
    await sleep(done - Date.now() + latencyMs)
  }
}

/** Fires `count` requests `perSecond` a second, as many in flight as the bound lets through. */
const fire = async (
  inFlight: InFlight,
  count: number,
  perSecond: number,
  answer: () => Promise<void>,
) => {
  const waits: number[] = []
  const answers: Promise<void>[] = []
  let lastAnswer = 0
  for (let i = 0; i < count; i++) {
    await sleep(1000 / perSecond)
    const startedAt = Date.now()
    const answered = answer().then(() => {
      waits.push(Date.now() - startedAt)
      lastAnswer = Date.now()
      inFlight.answered(startedAt, Date.now())
    })
    answers.push(answered)
    await inFlight.add(answered)
  }
  await Promise.all(answers)
  return { lastAnswer, waits }
}

describe('InFlight', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('answers slower than a quarter of the timeout shrink the bound: none waits past the timeout', async () => {
    // 500 sends a second against a server taking 25: with 2,000 in flight each would wait 80 s.
    const inFlight = new InFlight(2000, 15_000 / 4, 250)
    const start = Date.now()
    const run = fire(inFlight, 2000, 500, server(25))
    await vi.advanceTimersByTimeAsync(200_000)
    const { lastAnswer, waits } = await run
    expect(waits).toHaveLength(2000)
    expect(Math.max(...waits)).toBeLessThan(15_000)
    // The bound never starved the server: it answered 25 a second throughout.
    expect(lastAnswer - start).toBeLessThan((2000 / 25) * 1000 * 1.02)
    expect(inFlight.limit).toBeLessThan(1000)
  })

  test('a fixed bound (no timeout given) lets the same answers wait far past it', async () => {
    const inFlight = new InFlight(2000)
    const run = fire(inFlight, 2000, 500, server(25))
    await vi.advanceTimersByTimeAsync(200_000)
    expect(Math.max(...(await run).waits)).toBeGreaterThan(30_000)
  })

  test('quick answers grow the bound to its maximum within a few round trips', async () => {
    const inFlight = new InFlight(400, 15_000 / 4, 100)
    const start = Date.now()
    // 1,000 a second answered after 300 ms: 300 in flight, more than the bound starts with;
    // it doubles each round trip, so sending is held back for two of them at most.
    const run = fire(inFlight, 3000, 1000, server(100_000, 300))
    await vi.advanceTimersByTimeAsync(10_000)
    expect((await run).lastAnswer - start).toBeLessThan(3000 + 300 + 2 * 300)
    expect(inFlight.limit).toBe(400)
  })

  test('one round of slow answers cuts the bound once, to three quarters of what is in flight', async () => {
    const inFlight = new InFlight(1000, 100, 1000)
    for (let i = 0; i < 800; i++) {
      await inFlight.add(new Promise(() => undefined))
    }
    for (let i = 0; i < 50; i++) {
      inFlight.answered(0, 500 + i)
    }
    expect(inFlight.limit).toBe(600)
    // A send started after the cut and answered slowly cuts again.
    inFlight.answered(600, 800)
    expect(inFlight.limit).toBe(450)
    // Quick answers with the bound in use grow it by about one per round trip after a cut.
    for (let i = 0; i < 460; i++) {
      inFlight.answered(900, 950)
    }
    expect(inFlight.limit).toBe(451)
  })

  test('quick answers do not grow a bound that is not in use', () => {
    const inFlight = new InFlight(1000, 100, 200)
    for (let i = 0; i < 500; i++) {
      inFlight.answered(0, 50)
    }
    expect(inFlight.limit).toBe(200)
  })
})
