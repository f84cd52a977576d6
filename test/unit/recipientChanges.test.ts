import { describe, expect, test } from 'vitest'

import type { SendOutcome } from '../../src/store/types.js'

import {
  latestPricing,
  marketingLimitRetry,
  metaFailedMessage,
  outcomeCounter,
  outcomeFields,
  outcomesByKind,
  pricingOf,
  replyFields,
  statusChange,
} from '../../src/store/recipientChanges.js'

const at = new Date('2026-01-02T03:04:05Z')

describe('statusChange', () => {
  test('delivered and read stamp their own time; a read also caps deliveredAt', () => {
    expect(statusChange({ messageId: 'm', status: 'delivered', timestamp: at })).toEqual({
      fields: { deliveredAt: at, status: 'delivered' },
    })
    expect(statusChange({ messageId: 'm', status: 'read', timestamp: at })).toEqual({
      deliveredAtMost: at,
      fields: { readAt: at, status: 'read' },
    })
    expect(statusChange({ messageId: 'm', status: 'sent', timestamp: at })).toEqual({
      fields: { status: 'sent' },
    })
  })

  test("a failure keeps Meta's code and message, or says Meta reported it", () => {
    expect(
      statusChange({
        errorCode: 131047,
        errorMessage: 'Re-engagement message',
        messageId: 'm',
        status: 'failed',
        timestamp: at,
      }).fields,
    ).toEqual({
      errorCode: 131047,
      errorMessage: 'Re-engagement message',
      failedAt: at,
      status: 'failed',
    })
    expect(statusChange({ messageId: 'm', status: 'failed', timestamp: at }).fields).toEqual({
      errorCode: null,
      errorMessage: metaFailedMessage,
      failedAt: at,
      status: 'failed',
    })
  })
})

describe('outcomes', () => {
  const outcomes: SendOutcome[] = [
    { id: '1', kind: 'released' },
    { id: '2', kind: 'sent', messageId: 'wamid.2', sentAt: at },
    { id: '3', errorMessage: 'timeout', kind: 'unknown' },
    { id: '4', errorCode: 130429, errorMessage: 'limit', kind: 'failed', retryable: true },
    { id: '5', kind: 'sent', messageId: 'wamid.5', sentAt: at },
  ]

  test('each outcome writes its status and only its own fields', () => {
    const now = new Date()
    expect(outcomes.map((o) => outcomeFields(o, now))).toEqual([
      { status: 'pending' },
      { messageId: 'wamid.2', sentAt: at, status: 'sent' },
      { errorMessage: 'timeout', status: 'unknown' },
      {
        errorCode: 130429,
        errorMessage: 'limit',
        failedAt: now,
        retryable: true,
        status: 'failed',
      },
      { messageId: 'wamid.5', sentAt: at, status: 'sent' },
    ])
  })

  test('grouped by kind in a fixed order, empty kinds left out; a release counts nowhere', () => {
    expect(outcomesByKind(outcomes).map((g) => [g.kind, g.outcomes.map((o) => o.id)])).toEqual([
      ['sent', ['2', '5']],
      ['failed', ['4']],
      ['unknown', ['3']],
      ['released', ['1']],
    ])
    expect(outcomesByKind([])).toEqual([])
    expect(outcomeCounter).toEqual({
      failed: 'failedCount',
      released: undefined,
      sent: 'sentCount',
      unknown: 'unknownCount',
    })
  })
})

describe('marketingLimitRetry (131049)', () => {
  const at = new Date('2026-01-01T00:00:00Z')
  const day = 24 * 60 * 60 * 1000

  test('retryable after a day, then 3, then 7 days; other codes unchanged', () => {
    expect(marketingLimitRetry(131049, 1, at)).toEqual({
      retryable: true,
      retryNotBefore: new Date(at.getTime() + day),
    })
    expect(marketingLimitRetry(131049, 2, at).retryNotBefore).toEqual(
      new Date(at.getTime() + 3 * day),
    )
    expect(marketingLimitRetry(131049, 5, at).retryNotBefore).toEqual(
      new Date(at.getTime() + 7 * day),
    )
    expect(marketingLimitRetry(131026, 1, at)).toEqual({})
  })

  test('a failed send or a failed status with 131049 carries its not-before time', () => {
    expect(
      outcomeFields(
        {
          id: '1',
          attempts: 2,
          errorCode: 131049,
          errorMessage: 'limit',
          kind: 'failed',
          retryable: false,
        },
        at,
      ),
    ).toMatchObject({ retryable: true, retryNotBefore: new Date(at.getTime() + 3 * day) })
    expect(
      statusChange({ errorCode: 131049, messageId: 'm', status: 'failed', timestamp: at }).fields,
    ).toMatchObject({ retryable: true, retryNotBefore: new Date(at.getTime() + day) })
  })
})

describe('pricing and replies', () => {
  test("Meta's pricing object read in upper case; the latest status's per message wins", () => {
    expect(
      pricingOf({ pricing: { type: 'regular', billable: true, category: 'marketing' } }),
    ).toEqual({ billable: true, category: 'MARKETING' })
    expect(pricingOf({ pricing: { category: 'service' } })).toEqual({
      billable: false,
      category: 'SERVICE',
    })
    expect(pricingOf({ status: 'sent' })).toBeUndefined()
    const later = new Date(at.getTime() + 1000)
    expect(
      latestPricing([
        {
          messageId: 'a',
          pricing: { billable: true, category: 'UTILITY' },
          status: 'read',
          timestamp: later,
        },
        {
          messageId: 'a',
          pricing: { billable: false, category: 'SERVICE' },
          status: 'sent',
          timestamp: at,
        },
        { messageId: 'a', status: 'read', timestamp: new Date(later.getTime() + 1000) },
        { messageId: 'b', status: 'sent', timestamp: at },
      ]),
    ).toEqual([{ at: later, billable: true, category: 'UTILITY', messageId: 'a' }])
  })

  test('a reply keeps its text and button, null when absent', () => {
    expect(replyFields({ button: 'YES', messageId: 'm', text: 'Yes', timestamp: at })).toEqual({
      repliedAt: at,
      replyButton: 'YES',
      replyText: 'Yes',
    })
    expect(replyFields({ messageId: 'm', timestamp: at })).toEqual({
      repliedAt: at,
      replyButton: null,
      replyText: null,
    })
  })
})
