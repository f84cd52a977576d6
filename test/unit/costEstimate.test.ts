import { describe, expect, test } from 'vitest'

import { actualCost, estimateCost, tallyCallingCode } from '../../src/audience/costEstimate.js'
import { resolveOptions } from '../../src/options.js'

const card = {
  currency: 'EUR',
  rates: { '49': { MARKETING: 0.1 }, default: { MARKETING: 0.2, UTILITY: 0.05 } },
}

describe('cost estimate', () => {
  test('per calling code, its row first, then the default row; unpriced messages counted apart', () => {
    const counts = new Map<string, number>()
    for (const phone of ['4915112345678', '4915112345679', '14155552671', '12']) {
      tallyCallingCode(counts, phone)
    }
    expect(counts).toEqual(
      new Map([
        ['1', 1],
        ['49', 2],
        ['unknown', 1],
      ]),
    )
    expect(estimateCost(card, 'MARKETING', counts)).toEqual({
      category: 'MARKETING',
      currency: 'EUR',
      lines: [
        { callingCode: '1', cost: 0.2, messages: 1, unitPrice: 0.2 },
        { callingCode: '49', cost: 0.2, messages: 2, unitPrice: 0.1 },
        { callingCode: 'unknown', cost: 0.2, messages: 1, unitPrice: 0.2 },
      ],
      messages: 4,
      total: 0.6,
      unpriced: 0,
    })
    // No AUTHENTICATION price anywhere, and no category at all: unpriced, not free.
    expect(estimateCost(card, 'AUTHENTICATION', counts)).toMatchObject({ total: 0, unpriced: 4 })
    expect(estimateCost(card, null, counts)).toMatchObject({ category: null, unpriced: 4 })
  })

  test('the rate card and frequency cap options are checked at boot', () => {
    const resolve = (options: Parameters<typeof resolveOptions>[0]) =>
      resolveOptions(options, 'users')
    expect(() => resolve({ rateCard: { currency: 'usd', rates: card.rates } })).toThrow(/ISO 4217/)
    expect(() =>
      resolve({
        rateCard: { currency: 'USD', rates: { '91': {} } as unknown as typeof card.rates },
      }),
    ).toThrow(/"default" row/)
    expect(() =>
      resolve({ rateCard: { currency: 'USD', rates: { ...card.rates, '+44': {} } } }),
    ).toThrow(/calling codes/)
    expect(() =>
      resolve({ rateCard: { currency: 'USD', rates: { default: { MARKETING: -1 } } } }),
    ).toThrow(/0 or more/)
    expect(() => resolve({ frequencyCap: { maxMessages: 0, perDays: 7 } })).toThrow(/maxMessages/)
    expect(() => resolve({ frequencyCap: { maxMessages: 1, perDays: 0 } })).toThrow(/perDays/)
    expect(resolve({}).frequencyCap).toBe(false)
    expect(resolve({ audiences: {} }).rateCard).toBeUndefined()
    expect(() =>
      resolve({ audiences: { retarget: { resolve: () => Promise.resolve([]) } } }),
    ).toThrow(/reserved/)
  })
})

describe('actual cost', () => {
  test('billable groups by phone prefix and pricing category, priced by the card; unknown categories unpriced', () => {
    expect(
      actualCost(card, [
        { category: 'MARKETING', count: 2, prefix: '491' },
        { category: 'MARKETING', count: 1, prefix: '495' },
        { category: 'UTILITY', count: 3, prefix: '141' },
        { category: 'SERVICE', count: 4, prefix: '141' },
        { category: null, count: 1, prefix: '999' },
      ]),
    ).toEqual({
      currency: 'EUR',
      lines: [
        { callingCode: '1', category: 'SERVICE', cost: 0, messages: 4, unitPrice: null },
        { callingCode: '1', category: 'UTILITY', cost: 0.15, messages: 3, unitPrice: 0.05 },
        { callingCode: '49', category: 'MARKETING', cost: 0.3, messages: 3, unitPrice: 0.1 },
        { callingCode: 'unknown', category: null, cost: 0, messages: 1, unitPrice: null },
      ],
      messages: 11,
      total: 0.45,
      unpriced: 5,
    })
  })
})
