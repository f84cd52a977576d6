import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'

import { SlotPacer } from '../../src/sending/slotPacer.js'

/** The shared per-number schedule as the stores keep it: each reservation starts at max(now, end). */
const memorySchedule = () => {
  const ends = new Map<string, number>()
  const calls: number[] = []
  return {
    calls,
    reserveSlots: (key: string, count: number, intervalMs: number) => {
      calls.push(count)
      const start = Math.max(Date.now(), ends.get(key) ?? 0)
      ends.set(key, start + count * intervalMs)
      return Promise.resolve(start)
    },
  }
}

/** The most sends in any window of `windowMs` ending at a send. */
const busiestWindow = (times: number[], windowMs = 1000) => {
  const sorted = [...times].sort((a, b) => a - b)
  let most = 0
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while (sorted[end] - sorted[start] >= windowMs) {
      start++
    }
    most = Math.max(most, end - start + 1)
  }
  return most
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
    expect(busiestWindow(times)).toBeLessThanOrEqual(40)
    // 200 sends at 97% of 40/s take about 5.1 s: paced, not bunched at the end.
    expect(Math.max(...times) - start).toBeGreaterThan(5000)
    expect(Math.max(...times) - start).toBeLessThan(5300)
    expect(schedule.calls.every((count) => count === 40)).toBe(true)
    expect(schedule.calls).toHaveLength(5)
  })

  test('pacers of several campaigns on one number share its rate', async () => {
    const schedule = memorySchedule()
    const pacers = [1, 2, 3].map(() => new SlotPacer(schedule, 'PN1', 20))
    const times = await takeSlots(pacers, 40, 20_000)
    expect(times).toHaveLength(120)
    expect(busiestWindow(times)).toBeLessThanOrEqual(20)
  })

  test('different numbers do not share a rate', async () => {
    const schedule = memorySchedule()
    const pacers = ['PN1', 'PN2'].map((key) => new SlotPacer(schedule, key, 20))
    const times = await takeSlots(pacers, 20, 5_000)
    expect(busiestWindow(times)).toBeGreaterThan(30)
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

  test('penalize pushes the shared schedule back', async () => {
    const schedule = memorySchedule()
    const pacer = new SlotPacer(schedule, 'PN1', 10)
    await pacer.wait()
    const before = Date.now()
    await pacer.penalize(3000)
    const other = new SlotPacer(schedule, 'PN1', 10)
    const times = await takeSlots([other], 1, 5000)
    expect(times[0] - before).toBeGreaterThanOrEqual(3000)
  })
})
