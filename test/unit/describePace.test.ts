import { describe, expect, test } from 'vitest'

import { describePace } from '../../src/components/shared/describePace.js'

const now = new Date(2026, 10, 26, 14, 5)
const tomorrow = new Date(now.getTime() + 24 * 60 * 60 * 1000).toISOString()
const time = new Date(tomorrow).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })

describe('the Run confirmation pace', () => {
  test('1,000 recipients on tier 250: 250 now, the rest from tomorrow, about 4 days', () => {
    expect(
      describePace(
        1000,
        {
          days: 4,
          limit: 250,
          messagesPerSecond: 80,
          messagingLimit: 'TIER_250',
          now: 250,
          restFrom: tomorrow,
          sendSeconds: 13,
        },
        now,
      ),
    ).toBe(
      `1,000 recipients: 250 now, the rest from tomorrow ${time}; about 4 days at tier 250. About 13 s of sending at 80 messages/s per number.`,
    )
  })

  test('within the limit, unlimited, or no tier set', () => {
    const pace = { days: 1, messagesPerSecond: 80, now: 100, restFrom: null, sendSeconds: 2 }
    expect(describePace(100, { ...pace, limit: 2000, messagingLimit: 'TIER_2K' }, now)).toBe(
      '100 recipients, all within the messaging limit (tier 2,000). About 2 s of sending at 80 messages/s per number.',
    )
    expect(describePace(100, { ...pace, limit: null, messagingLimit: 'TIER_UNLIMITED' }, now)).toBe(
      'About 2 s of sending at 80 messages/s per number.',
    )
    expect(describePace(100, { ...pace, limit: null, messagingLimit: null }, now)).toMatch(
      /No messaging limit is set/,
    )
  })
})
