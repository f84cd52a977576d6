import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'

import { mostInAnyWindow } from '../../dev/simulator/mostInWindow.js'
import { SlotPacer } from '../../src/sending/slotPacer.js'

/** The shared per-number schedule as the stores keep it: each reservation starts at max(now, end). */
const memorySchedule = (roundTripMs = 0) => {
  const ends = new Map<string, number>()
  const calls: number[] = []
  return {
    calls,
    reserveSlots: async (key: string, count: number, intervalMs: number) => {
      calls.push(count)
      const start = Math.max(Date.now(), ends.get(key) ?? 0)
      ends.set(key, start + count * intervalMs)
      // The database's answer takes a while to come back, as under load.
      if (roundTripMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, roundTripMs))
      }
      return start
    },
  }
}

const takeSlots = async (pacers: SlotPacer[], perPacer: number, runForMs: number) => {
  const times: number[] = []
  const waits = pacers.flatMap((pacer) =>
    Array.from({ length: perPacer }, () => pacer.wait().then(() => times.push(Date.now()))),
  )
  await vi.advanceTimersByTimeAsync(runForMs)
  await Promise.all(waits)
  return times
}

/** Runs the fake clock only until each pacer hands out its next slot; returns those slots' times. */
const nextSlots = async (...pacers: SlotPacer[]) => {
  const times: (number | undefined)[] = pacers.map(() => undefined)
  const waits = pacers.map((pacer, i) => pacer.wait().then(() => (times[i] = Date.now())))
  while (times.includes(undefined)) {
    await vi.advanceTimersToNextTimerAsync()
  }
  return Promise.all(waits)
}

describe('SlotPacer', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  test('never exceeds the rate in any second, and reserves a second of slots at a time', async () => {
    const schedule = memorySchedule()
    const pacer = new SlotPacer(schedule, 'PN1', 40)
    const start = Date.now()
    const times = await takeSlots([pacer], 200, 10_000)
    expect(times).toHaveLength(200)
    expect(mostInAnyWindow(times, 1000)).toBeLessThanOrEqual(40)
    // 200 sends at 97% of 40/s take about 5.1 s: paced, not bunched at the end.
    expect(Math.max(...times) - start).toBeGreaterThan(5000)
    expect(Math.max(...times) - start).toBeLessThan(5300)
    expect(schedule.calls.every((count) => count === 40)).toBe(true)
    // Five seconds of slots, and the sixth reserved ahead while the fifth was half used.
    expect(schedule.calls).toHaveLength(6)
  })

  test('the next second is reserved ahead: a slow database costs no slot', async () => {
    // 60 ms for each reservation to come back: waiting for it at each second's first slot
    // would miss that slot and the next (26 ms apart at 40/s), 5% of the rate.
    const schedule = memorySchedule(60)
    const pacer = new SlotPacer(schedule, 'PN1', 40)
    const start = Date.now()
    const times = await takeSlots([pacer], 200, 10_000)
    expect(mostInAnyWindow(times, 1000)).toBeLessThanOrEqual(40)
    // 199 intervals of 1/(0.97 × 40) s after the first reservation's 60 ms.
    expect(Math.max(...times) - start).toBeLessThan(60 + 199 * 25.78 + 5)
  })

  test('a process late by up to 20 ms still sends at every slot, never above the rate', async () => {
    const schedule = memorySchedule()
    const pacer = new SlotPacer(schedule, 'PN1', 80)
    const start = Date.now()
    const times: number[] = []
    for (let i = 0; i < 400; i++) {
      let sent = false
      const wait = pacer.wait().then(() => (sent = true))
      while (!sent) {
        await vi.advanceTimersByTimeAsync(0)
        if (!sent && vi.getTimerCount() > 0) {
          // The pacer's timer fires at its slot, but the event loop, busy elsewhere, runs it
          // 0–20 ms later.
          vi.advanceTimersToNextTimer()
          vi.setSystemTime(Date.now() + ((i * 8) % 21))
        }
      }
      await wait
      times.push(Date.now())
    }
    expect(mostInAnyWindow(times, 1000)).toBeLessThanOrEqual(80)
    // No slot was skipped: the 400th send went at the 400th slot of 1/(0.97 × 80) s.
    expect(Math.max(...times) - start).toBeLessThanOrEqual((399 * 1000) / (80 * 0.97) + 21)
  })

  test('pacers of several campaigns on one number share its rate', async () => {
    const schedule = memorySchedule()
    const pacers = [1, 2, 3].map(() => new SlotPacer(schedule, 'PN1', 20))
    const times = await takeSlots(pacers, 40, 20_000)
    expect(times).toHaveLength(120)
    expect(mostInAnyWindow(times, 1000)).toBeLessThanOrEqual(20)
  })

  test('different numbers do not share a rate', async () => {
    const schedule = memorySchedule()
    const pacers = ['PN1', 'PN2'].map((key) => new SlotPacer(schedule, key, 20))
    const times = await takeSlots(pacers, 20, 5_000)
    expect(mostInAnyWindow(times, 1000)).toBeGreaterThan(30)
  })

  test('a slot the process missed is skipped, not fired late beside the next one', async () => {
    const schedule = memorySchedule()
    const pacer = new SlotPacer(schedule, 'PN1', 10, 1, 10)
    await pacer.wait()
    // The event loop was blocked past the next slots: they are dropped instead of bunching up.
    vi.setSystemTime(Date.now() + 450)
    const times: number[] = []
    const waits = [1, 2, 3].map(() => pacer.wait().then(() => times.push(Date.now())))
    await vi.advanceTimersByTimeAsync(2000)
    await Promise.all(waits)
    for (let i = 1; i < times.length; i++) {
      expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(100)
    }
  })

  test('a throughput error pauses the number briefly, for every pacer on it, once per burst', async () => {
    const schedule = memorySchedule()
    const pacer = new SlotPacer(schedule, 'PN1', 10)
    await pacer.wait()
    const sentAt = Date.now()
    const before = Date.now()
    // Three sends of one burst answered 130429: one pause of 100 ms.
    await Promise.all([1, 2, 3].map(() => pacer.throttled(sentAt)))
    const other = new SlotPacer(schedule, 'PN1', 10)
    const [otherAt, mineAt] = await nextSlots(other, pacer)
    expect(mineAt - before).toBeGreaterThanOrEqual(100)
    // This pacer's own slots after the pause are still used: no second of them is thrown away.
    expect(mineAt - before).toBeLessThan(100 + 1000 / (10 * 0.97) + 1)
    expect(otherAt - before).toBeGreaterThanOrEqual(100)
  })

  test('throughput errors again within a second of the pause double it, up to 4 s', async () => {
    const schedule = memorySchedule()
    const pacer = new SlotPacer(schedule, 'PN1', 10)
    const pauses: number[] = []
    for (let i = 0; i < 8; i++) {
      const [sentAt] = await nextSlots(pacer)
      await pacer.throttled(sentAt)
      pauses.push((await nextSlots(pacer))[0] - sentAt)
    }
    const expected = [100, 200, 400, 800, 1600, 3200, 4000, 4000]
    pauses.forEach((pause, i) => {
      expect(pause).toBeGreaterThanOrEqual(expected[i])
      expect(pause).toBeLessThan(expected[i] + 1000 / (10 * 0.97) + 1)
    })
    // A quiet second later, a throughput error pauses 100 ms again.
    vi.setSystemTime(Date.now() + 1000)
    const [sentAt] = await nextSlots(pacer)
    await pacer.throttled(sentAt)
    expect((await nextSlots(pacer))[0] - sentAt).toBeLessThan(100 + 1000 / (10 * 0.97) + 1)
  })
})
