import { describe, expect, test } from 'vitest'

import { resolveOptions } from '../../src/options.js'
import {
  defaultOptOutKeywords,
  isStopPromotionsButton,
  normalizeKeyword,
} from '../../src/webhooks/optOutKeywords.js'
import { parseWebhook, WebhookShapeError } from '../../src/webhooks/parseWebhook.js'

const change = (field: string, value: Record<string, unknown>) => ({
  entry: [
    {
      id: 'WABA1',
      changes: [
        {
          field,
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550001111', phone_number_id: 'PN1' },
            ...value,
          },
        },
      ],
    },
  ],
  object: 'whatsapp_business_account',
})

describe('opt-out keywords', () => {
  test('case, accents, punctuation, emoji and extra spaces are dropped', () => {
    expect(
      ['stop.', 'Stop!', ' STOP 🙏', '¡BAJA!', 'Arrêt', '  stop   all ', 'opt-out'].map(
        normalizeKeyword,
      ),
    ).toEqual(['STOP', 'STOP', 'STOP', 'BAJA', 'ARRET', 'STOP ALL', 'OPT OUT'])
  })

  test('the defaults are whole-message opt-outs only; sentences and other words are not', () => {
    const keywords = resolveOptions({}, 'users').optOutKeywords
    for (const text of ['stop.', 'Unsubscribe', 'ARRÊT!', 'Stopp', 'abmelden', 'Darse de baja']) {
      expect(keywords).toContain(normalizeKeyword(text))
    }
    for (const text of ['no', 'please stop sending', 'cancel my order', 'end', 'alto', 'fin']) {
      expect(keywords).not.toContain(normalizeKeyword(text))
    }
    expect(defaultOptOutKeywords.map(normalizeKeyword)).toEqual(defaultOptOutKeywords)
  })

  test('configured keywords are normalized; one without letters or digits is refused', () => {
    expect(resolveOptions({ optOutKeywords: ['Désinscription!'] }, 'users').optOutKeywords).toEqual(
      ['DESINSCRIPTION'],
    )
    expect(() => resolveOptions({ optOutKeywords: ['🙏'] }, 'users')).toThrow(
      /no letters or digits/,
    )
  })

  test('"Stop promotions" is recognised however it is written', () => {
    expect(isStopPromotionsButton('Stop promotions')).toBe(true)
    expect(isStopPromotionsButton('STOP PROMOTIONS.')).toBe(true)
    expect(isStopPromotionsButton('Stop')).toBe(false)
    expect(isStopPromotionsButton(undefined)).toBe(false)
  })
})

describe('parseWebhook: opt-out signals', () => {
  test("reads a quick-reply button with its text and payload, and the sender's name", () => {
    const parsed = parseWebhook(
      change('messages', {
        contacts: [{ profile: { name: 'Asha' }, wa_id: '919876543210' }],
        messages: [
          {
            id: 'wamid.X',
            type: 'button',
            button: { payload: 'Stop promotions', text: 'Stop promotions' },
            context: { id: 'wamid.T', from: '15550001111' },
            from: '919876543210',
            timestamp: '1700000000',
          },
        ],
      }),
    )
    expect(parsed.messages).toEqual([
      expect.objectContaining({
        name: 'Asha',
        type: 'button',
        buttonPayload: 'Stop promotions',
        from: '919876543210',
        phoneNumberId: 'PN1',
        text: 'Stop promotions',
      }),
    ])
  })

  test('reads user_preferences (stop and resume) and makes its number sign the body', () => {
    const parsed = parseWebhook(
      change('user_preferences', {
        contacts: [{ profile: { name: 'Ravi' }, wa_id: '919811122233' }],
        user_preferences: [
          {
            category: 'marketing_messages',
            detail: 'User requested to stop marketing messages',
            timestamp: 1700000000,
            value: 'stop',
            wa_id: '919811122233',
          },
          {
            category: 'marketing_messages',
            timestamp: '1700000100',
            value: 'resume',
            wa_id: '919811122233',
          },
        ],
      }),
    )
    expect([...parsed.phoneNumberIds]).toEqual(['PN1'])
    expect(parsed.messages).toEqual([])
    expect(parsed.userPreferences).toEqual([
      expect.objectContaining({
        name: 'Ravi',
        category: 'marketing_messages',
        phoneNumberId: 'PN1',
        timestamp: new Date(1700000000 * 1000),
        value: 'stop',
        waId: '919811122233',
      }),
      expect.objectContaining({ timestamp: new Date(1700000100 * 1000), value: 'resume' }),
    ])
  })

  test('a user preference without wa_id or timestamp, or without phone_number_id, is refused', () => {
    expect(() =>
      parseWebhook(change('user_preferences', { user_preferences: [{ value: 'stop' }] })),
    ).toThrow(WebhookShapeError)
    expect(() =>
      parseWebhook({
        entry: [{ changes: [{ field: 'user_preferences', value: { user_preferences: [] } }] }],
      }),
    ).toThrow(/user_preferences change without metadata.phone_number_id/)
  })
})
