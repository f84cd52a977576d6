import { describe, expect, test } from 'vitest'

import { classifyMetaError, isRetryableFailure } from '../../src/meta/classifyError.js'

describe('classifyMetaError', () => {
  test.each([
    [{ timedOut: true }, 'transient'],
    [{ code: 131026, network: true }, 'transient'],
    [{ code: 131000, httpStatus: 500 }, 'transient'],
    [{ code: 2, httpStatus: 503 }, 'transient'],
    [{ code: 130429, httpStatus: 400 }, 'throttle'],
    [{ code: 131056, httpStatus: 400 }, 'throttle'],
    [{ code: 80007 }, 'throttle'],
    [{ code: 190, httpStatus: 401 }, 'account'],
    [{ code: 131031, httpStatus: 400 }, 'account'],
    [{ code: 132001, httpStatus: 404 }, 'account'],
    // Meta stopped the account or number: every campaign on it pauses.
    [{ code: 368, httpStatus: 400 }, 'account'],
    [{ code: 131048, httpStatus: 400 }, 'account'],
    // Meta stopped the template: every campaign using it pauses.
    [{ code: 132015, httpStatus: 400 }, 'template'],
    [{ code: 132016, httpStatus: 400 }, 'template'],
    [{ code: 131026, httpStatus: 400 }, 'permanent'],
    [{ code: 131049, httpStatus: 400 }, 'permanent'],
    [{ code: 100, httpStatus: 400 }, 'permanent'],
    // Without a code, the HTTP status decides.
    [{ httpStatus: 401 }, 'account'],
    [{ httpStatus: 429 }, 'throttle'],
    [{ httpStatus: 502 }, 'transient'],
    [{ httpStatus: 400 }, 'permanent'],
    [{}, 'permanent'],
  ] as const)('%j is %s', (input, kind) => {
    expect(classifyMetaError(input)).toBe(kind)
  })

  test('only transient and throttle failures are retried by Retry failed', () => {
    expect(isRetryableFailure('transient')).toBe(true)
    expect(isRetryableFailure('throttle')).toBe(true)
    expect(isRetryableFailure('account')).toBe(false)
    expect(isRetryableFailure('template')).toBe(false)
    expect(isRetryableFailure('permanent')).toBe(false)
  })
})
