import { describe, expect, test } from 'vitest'

import { resolveOptions } from '../../src/options.js'
import { ErrorBreaker } from '../../src/sending/errorBreaker.js'

const failed = (code: number, message = `error ${code}`) => ({
  code,
  failed: true as const,
  message,
})
const sent = { failed: false as const }

describe('ErrorBreaker', () => {
  test('stays closed until the window is full, then trips above the rate with the top error', () => {
    const breaker = new ErrorBreaker({ maxFailureRate: 0.3, window: 10 })
    for (let i = 0; i < 9; i++) {
      breaker.record(i < 3 ? failed(131026) : i === 3 ? failed(100) : sent)
    }
    // 4 failures, but only 9 outcomes seen.
    expect(breaker.tripped()).toBeUndefined()
    breaker.record(sent)
    expect(breaker.tripped()).toBe(
      '4 of the last 10 sends failed (more than 30%); most often 131026: error 131026 (3 times)',
    )
  })

  test('exactly the allowed share does not trip; old outcomes leave the window', () => {
    const breaker = new ErrorBreaker({ maxFailureRate: 0.3, window: 10 })
    for (let i = 0; i < 10; i++) {
      breaker.record(i < 3 ? failed(131026) : sent)
    }
    expect(breaker.tripped()).toBeUndefined()
    // Each new failure pushes an old one out of the window: still 3 of 10.
    for (let i = 0; i < 3; i++) {
      breaker.record(failed(131026))
      expect(breaker.tripped()).toBeUndefined()
    }
    // This one pushes out a success.
    breaker.record(failed(131026))
    expect(breaker.tripped()).toMatch(/^4 of the last 10/)
  })
})

describe('errorBreaker option', () => {
  test('defaults to 30% of the last 200 sends; false turns it off; partial settings keep the rest', () => {
    expect(resolveOptions({}, 'users').errorBreaker).toEqual({ maxFailureRate: 0.3, window: 200 })
    expect(resolveOptions({ errorBreaker: false }, 'users').errorBreaker).toBe(false)
    expect(
      resolveOptions({ errorBreaker: { maxFailureRate: 0.5, window: 50 } }, 'users').errorBreaker,
    ).toEqual({ maxFailureRate: 0.5, window: 50 })
  })

  test.each([
    [{ maxFailureRate: 0.3, window: 0 }, 'errorBreaker.window must be a whole number'],
    [{ maxFailureRate: 0.3, window: 2.5 }, 'errorBreaker.window must be a whole number'],
    [
      { maxFailureRate: 1, window: 200 },
      'errorBreaker.maxFailureRate must be at least 0 and below 1',
    ],
    [{ maxFailureRate: -0.1, window: 200 }, 'errorBreaker.maxFailureRate must be at least 0'],
    [{ maxFailureRate: Number.NaN, window: 200 }, 'errorBreaker.maxFailureRate must be at least 0'],
  ])('%j is refused with a clear error', (errorBreaker, message) => {
    expect(() => resolveOptions({ errorBreaker }, 'users')).toThrow(message)
  })
})
