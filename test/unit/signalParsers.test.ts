import { describe, expect, test } from 'vitest'

import { accountHolds, restrictsSending } from '../../src/campaigns/holds.js'
import { parseWebhook, WebhookShapeError } from '../../src/webhooks/parseWebhook.js'
import { isQualityDrop, numberOf } from '../../src/webhooks/qualityUpdates.js'
import { metaTime } from '../../src/webhooks/webhookValues.js'

/** Meta's envelope for a WABA-level field, as its webhook references document it. */
const wabaChange = (field: string, value: Record<string, unknown>, time = 1748454394) => ({
  entry: [{ id: '102290129340398', changes: [{ field, value }], time }],
  object: 'whatsapp_business_account',
})

describe('phone_number_quality_update', () => {
  test("Meta's documented example (THROUGHPUT_UPGRADE, current_limit): stored, nothing to stop", () => {
    const { qualityUpdates, wabaIds } = parseWebhook(
      wabaChange('phone_number_quality_update', {
        current_limit: 'TIER_UNLIMITED',
        display_phone_number: '15550783881',
        event: 'THROUGHPUT_UPGRADE',
      }),
    )
    expect(wabaIds).toEqual(new Set(['102290129340398']))
    expect(qualityUpdates).toMatchObject([
      {
        displayPhoneNumber: '15550783881',
        event: 'THROUGHPUT_UPGRADE',
        qualityRating: undefined,
        reportedMessagingLimit: 'TIER_UNLIMITED',
        timestamp: new Date(1748454394 * 1000),
        wabaId: '102290129340398',
      },
    ])
    expect(isQualityDrop(qualityUpdates[0])).toBe(false)
  })

  test('FLAGGED is a RED rating; DOWNGRADE is a drop; UNFLAGGED and UPGRADE are not', () => {
    const read = (event: string, extra: Record<string, unknown> = {}) =>
      parseWebhook(
        wabaChange('phone_number_quality_update', {
          display_phone_number: '15550783881',
          event,
          ...extra,
        }),
      ).qualityUpdates[0]
    expect(read('FLAGGED')).toMatchObject({ qualityRating: 'RED' })
    expect(isQualityDrop(read('FLAGGED'))).toBe(true)
    const downgrade = read('DOWNGRADE', { current_limit: 'TIER_250', old_limit: 'TIER_2K' })
    expect(downgrade).toMatchObject({
      qualityRating: undefined,
      reportedMessagingLimit: 'TIER_250',
    })
    expect(isQualityDrop(downgrade)).toBe(true)
    expect(read('UNFLAGGED')).toMatchObject({ qualityRating: 'UNKNOWN' })
    expect(isQualityDrop(read('UNFLAGGED'))).toBe(false)
    expect(isQualityDrop(read('UPGRADE', { current_limit: 'TIER_10K' }))).toBe(false)
  })

  test('the newer shape: max_daily_conversations_per_business wins over current_limit, quality_score gives the rating', () => {
    const read = (extra: Record<string, unknown>) =>
      parseWebhook(
        wabaChange('phone_number_quality_update', {
          current_limit: 'TIER_2K',
          display_phone_number: '15550783881',
          event: 'UPGRADE',
          max_daily_conversations_per_business: 'TIER_10K',
          ...extra,
        }),
      ).qualityUpdates[0]
    expect(read({})).toMatchObject({ reportedMessagingLimit: 'TIER_10K' })
    expect(read({ quality_score: { score: 'RED' } })).toMatchObject({ qualityRating: 'RED' })
    expect(isQualityDrop(read({ quality_score: 'RED' }))).toBe(true)
    expect(read({ quality_score: { score: 'YELLOW' } })).toMatchObject({ qualityRating: 'YELLOW' })
    expect(read({ quality_rating: 'GREEN' })).toMatchObject({ qualityRating: 'GREEN' })
    expect(read({ quality_score: { score: 'LOW' } })).toMatchObject({ qualityRating: 'RED' })
  })

  test('names its number by display number within the WABA, or the WABA’s only number', () => {
    const a = { id: 1, displayPhoneNumber: '+1 555-078-3881', phoneNumberId: 'PN1', wabaId: 'W' }
    const b = { id: 2, displayPhoneNumber: '15550000002', phoneNumberId: 'PN2', wabaId: 'W' }
    const other = { id: 3, displayPhoneNumber: '15550783881', phoneNumberId: 'PN3', wabaId: 'X' }
    const update = { displayPhoneNumber: '15550783881', wabaId: 'W' }
    expect(numberOf([a, b, other], update)?.id).toBe(1)
    expect(numberOf([b, other], update)).toBeUndefined()
    expect(numberOf([{ id: 4, phoneNumberId: 'PN4', wabaId: 'W' }], update)?.id).toBe(4)
  })

  test('a WABA-level change without the entry id is refused', () => {
    expect(() =>
      parseWebhook({
        entry: [
          { changes: [{ field: 'phone_number_quality_update', value: { event: 'FLAGGED' } }] },
        ],
      }),
    ).toThrow(WebhookShapeError)
  })
})

describe('template_category_update', () => {
  test('a change made: previous_category and new_category', () => {
    const { categoryUpdates } = parseWebhook(
      wabaChange('template_category_update', {
        message_template_id: 1141793677284193,
        message_template_language: 'en_US',
        message_template_name: 'order_confirmation',
        new_category: 'MARKETING',
        previous_category: 'UTILITY',
      }),
    )
    expect(categoryUpdates).toEqual([
      {
        name: 'order_confirmation',
        effectiveAt: undefined,
        impending: false,
        language: 'en_US',
        metaId: '1141793677284193',
        newCategory: 'MARKETING',
        previousCategory: 'UTILITY',
        raw: expect.any(Object),
        timestamp: new Date(1748454394 * 1000),
        wabaId: '102290129340398',
      },
    ])
  })

  test('a change announced: correct_category is the coming one, new_category the current one', () => {
    const { categoryUpdates } = parseWebhook(
      wabaChange('template_category_update', {
        category_update_timestamp: 1750000000,
        correct_category: 'MARKETING',
        message_template_id: 12,
        message_template_language: 'en_US',
        message_template_name: 'order_confirmation',
        new_category: 'UTILITY',
      }),
    )
    expect(categoryUpdates[0]).toMatchObject({
      effectiveAt: new Date(1750000000 * 1000),
      impending: true,
      newCategory: 'MARKETING',
      previousCategory: 'UTILITY',
    })
  })
})

describe('account_update', () => {
  test('ACCOUNT_RESTRICTION with restriction_info and Meta’s expiration format', () => {
    const { accountUpdates } = parseWebhook(
      wabaChange('account_update', {
        event: 'ACCOUNT_RESTRICTION',
        restriction_info: [
          {
            expiration: '2026-04-19T13:59:20+0000',
            restriction_type: 'RESTRICTED_BIZ_INITIATED_MESSAGING',
          },
          { expiration: 1776607160, restriction_type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION' },
        ],
      }),
    )
    expect(accountUpdates).toMatchObject([
      {
        event: 'ACCOUNT_RESTRICTION',
        restrictions: [
          {
            type: 'RESTRICTED_BIZ_INITIATED_MESSAGING',
            expiresAt: new Date('2026-04-19T13:59:20Z'),
          },
          { type: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION', expiresAt: new Date(1776607160 * 1000) },
        ],
        wabaId: '102290129340398',
      },
    ])
  })

  test('DISABLED_UPDATE with ban_info, ACCOUNT_VIOLATION with violation_info', () => {
    const { accountUpdates } = parseWebhook({
      entry: [
        {
          id: 'W1',
          changes: [
            {
              field: 'account_update',
              value: {
                ban_info: { waba_ban_date: '2024-01-01', waba_ban_state: 'DISABLE' },
                event: 'DISABLED_UPDATE',
              },
            },
            {
              field: 'account_update',
              value: { event: 'ACCOUNT_VIOLATION', violation_info: { violation_type: 'SCAM' } },
            },
          ],
          time: 1700000000,
        },
      ],
    })
    expect(accountUpdates).toMatchObject([
      { banState: 'DISABLE', event: 'DISABLED_UPDATE', wabaId: 'W1' },
      { event: 'ACCOUNT_VIOLATION', violationType: 'SCAM' },
    ])
  })

  test('which restrictions stop campaigns, and the holds an account’s signals make', () => {
    expect(restrictsSending('RESTRICTED_BIZ_INITIATED_MESSAGING')).toBe(true)
    expect(restrictsSending('SOMETHING_NEW')).toBe(true)
    expect(restrictsSending('RESTRICTED_ADD_PHONE_NUMBER_ACTION')).toBe(false)
    expect(restrictsSending('RESTRICTED_CUSTOMER_INITIATED_MESSAGING')).toBe(false)
    const now = new Date('2026-01-01T00:00:00Z')
    const later = new Date('2026-01-02T00:00:00Z')
    const holds = (signals: Parameters<typeof accountHolds>[0], pauseOnQualityDrop = true) =>
      accountHolds(signals, { now, pauseOnQualityDrop }).map((h) => h.kind)
    expect(
      holds({ restrictedUntil: later, restriction: 'RESTRICTED_BIZ_INITIATED_MESSAGING' }),
    ).toEqual(['restriction'])
    expect(
      holds({ restrictedUntil: now, restriction: 'RESTRICTED_BIZ_INITIATED_MESSAGING' }),
    ).toEqual([])
    expect(holds({ restriction: 'RESTRICTED_BIZ_INITIATED_MESSAGING' })).toEqual(['restriction'])
    expect(holds({ restriction: 'RESTRICTED_ADD_PHONE_NUMBER_ACTION' })).toEqual([])
    expect(holds({ banState: 'DISABLE', qualityRating: 'RED' })).toEqual(['ban', 'quality'])
    expect(holds({ banState: 'REINSTATE', qualityRating: 'RED' }, false)).toEqual([])
  })
})

test('metaTime reads Unix seconds and Meta’s ISO dates', () => {
  expect(metaTime(1700000000)).toEqual(new Date(1700000000 * 1000))
  expect(metaTime('1700000000')).toEqual(new Date(1700000000 * 1000))
  expect(metaTime('2026-04-19T13:59:20+0000')).toEqual(new Date('2026-04-19T13:59:20Z'))
  expect(metaTime('soon')).toBeUndefined()
  expect(metaTime(undefined)).toBeUndefined()
})
