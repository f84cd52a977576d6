import { describe, expect, test } from 'vitest'

import { parseWebhook, WebhookShapeError } from '../../src/webhooks/parseWebhook.js'

const messagesChange = (value: Record<string, unknown>) => ({
  id: 'WABA1',
  changes: [
    {
      field: 'messages',
      value: {
        messaging_product: 'whatsapp',
        metadata: { display_phone_number: '15550001111', phone_number_id: 'PN1' },
        ...value,
      },
    },
  ],
})

const envelope = (...entry: unknown[]) => ({ entry, object: 'whatsapp_business_account' })

describe('parseWebhook', () => {
  test('reads a status as Meta documents it, with its error and recipient', () => {
    const parsed = parseWebhook(
      envelope(
        messagesChange({
          statuses: [
            {
              id: 'wamid.A',
              recipient_id: '919876543210',
              status: 'delivered',
              timestamp: '1700000000',
            },
            {
              id: 'wamid.B',
              errors: [
                {
                  code: 131026,
                  error_data: { details: 'Receiver is incapable of receiving this message' },
                  title: 'Message undeliverable',
                },
              ],
              recipient_id: '919876543211',
              status: 'failed',
              timestamp: 1700000001,
            },
          ],
        }),
      ),
    )
    expect(parsed.phoneNumberIds).toEqual(new Set(['PN1']))
    expect(parsed.statuses).toHaveLength(2)
    expect(parsed.statuses[0]).toMatchObject({
      messageId: 'wamid.A',
      phoneNumberId: 'PN1',
      recipientId: '919876543210',
      status: 'delivered',
      timestamp: new Date(1700000000 * 1000),
    })
    expect(parsed.statuses[0]?.errorCode).toBeUndefined()
    expect(parsed.statuses[1]).toMatchObject({
      errorCode: 131026,
      errorMessage: 'Message undeliverable: Receiver is incapable of receiving this message',
      status: 'failed',
    })
  })

  test('collects statuses across several entries and changes of one body', () => {
    const status = (id: string, phoneNumberId: string) => ({
      id: 'WABA1',
      changes: [
        {
          field: 'messages',
          value: {
            metadata: { phone_number_id: phoneNumberId },
            statuses: [{ id, status: 'sent', timestamp: '1700000000' }],
          },
        },
      ],
    })
    const parsed = parseWebhook(envelope(status('wamid.1', 'PN1'), status('wamid.2', 'PN2')))
    expect(parsed.statuses.map((s) => [s.messageId, s.phoneNumberId])).toEqual([
      ['wamid.1', 'PN1'],
      ['wamid.2', 'PN2'],
    ])
    expect(parsed.phoneNumberIds).toEqual(new Set(['PN1', 'PN2']))
  })

  test('reads inbound text and button messages with the sender profile name', () => {
    const parsed = parseWebhook(
      envelope(
        messagesChange({
          contacts: [{ profile: { name: 'Asha' }, wa_id: '919876543210' }],
          messages: [
            {
              id: 'wamid.in1',
              type: 'text',
              from: '919876543210',
              text: { body: 'STOP' },
              timestamp: '1700000000',
            },
            {
              id: 'wamid.in2',
              type: 'button',
              button: { payload: 'yes-payload', text: 'Yes' },
              context: { id: 'wamid.A', from: '15550001111' },
              from: '919876543211',
              timestamp: '1700000001',
            },
          ],
        }),
      ),
    )
    expect(parsed.messages).toHaveLength(2)
    expect(parsed.messages[0]).toMatchObject({
      name: 'Asha',
      type: 'text',
      from: '919876543210',
      phoneNumberId: 'PN1',
      text: 'STOP',
    })
    expect(parsed.messages[1]).toMatchObject({ name: undefined, type: 'button', text: 'Yes' })
    // The message answered (a campaign's, maybe) and Meta's time of the answer.
    expect(parsed.messages[0].contextId).toBeUndefined()
    expect(parsed.messages[1]).toMatchObject({
      buttonPayload: 'yes-payload',
      contextId: 'wamid.A',
      timestamp: new Date(1_700_000_001_000),
    })
  })

  test('reads template status updates by WABA id, with the entry time', () => {
    const parsed = parseWebhook(
      envelope({
        id: 'WABA9',
        changes: [
          {
            field: 'message_template_status_update',
            value: {
              event: 'REJECTED',
              message_template_id: 1234,
              message_template_language: 'en_US',
              message_template_name: 'order_update',
              reason: 'INCORRECT_CATEGORY',
            },
          },
          { field: 'account_update', value: { event: 'VERIFIED_ACCOUNT' } },
        ],
        time: 1739321024,
      }),
    )
    expect(parsed.wabaIds).toEqual(new Set(['WABA9']))
    expect(parsed.templateUpdates).toEqual([
      {
        name: 'order_update',
        event: 'REJECTED',
        language: 'en_US',
        metaId: '1234',
        reason: 'INCORRECT_CATEGORY',
        timestamp: new Date(1739321024 * 1000),
        wabaId: 'WABA9',
      },
    ])
    expect(parsed.accountUpdates).toMatchObject([{ event: 'VERIFIED_ACCOUNT', restrictions: [] }])
    expect(parsed.statuses).toEqual([])
    expect(parsed.phoneNumberIds.size).toBe(0)
  })

  test.each([
    ['not an object', 'hello'],
    ['no entry array', { object: 'whatsapp_business_account' }],
    ['a change without value', envelope({ id: 'W', changes: [{ field: 'messages' }] })],
    [
      'a messages change without phone_number_id',
      envelope({ id: 'W', changes: [{ field: 'messages', value: { statuses: [] } }] }),
    ],
    [
      'a status with an unknown status',
      envelope(
        messagesChange({ statuses: [{ id: 'x', status: 'bounced', timestamp: '1700000000' }] }),
      ),
    ],
    [
      'a status without a timestamp',
      envelope(messagesChange({ statuses: [{ id: 'x', status: 'sent' }] })),
    ],
    [
      'a message without from',
      envelope(messagesChange({ messages: [{ type: 'text', text: { body: 'hi' } }] })),
    ],
    [
      'a template update without the WABA id',
      envelope({
        changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }],
      }),
    ],
  ])('refuses %s', (_name, body) => {
    expect(() => parseWebhook(body)).toThrow(WebhookShapeError)
  })
})
