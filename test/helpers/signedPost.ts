import { createHmac } from 'node:crypto'

/** POSTs a webhook body to the app, signed as Meta signs (or with the signature given). */
export const postWebhook = async (
  baseUrl: string,
  body: unknown,
  { secret, signature }: { secret?: string; signature?: null | string } = {},
) => {
  const raw = typeof body === 'string' ? body : JSON.stringify(body)
  const header =
    signature !== undefined
      ? signature
      : `sha256=${createHmac('sha256', secret ?? '')
          .update(raw)
          .digest('hex')}`
  const response = await fetch(`${baseUrl}/api/whatsapp/webhook`, {
    body: raw,
    headers: {
      'content-type': 'application/json',
      ...(header ? { 'x-hub-signature-256': header } : {}),
    },
    method: 'POST',
  })
  return { body: await response.text(), status: response.status }
}

/** Meta's documented status notification shape. */
export const statusBody = (
  phoneNumberId: string,
  statuses: Array<{
    code?: number
    id: string
    /** Meta's pricing object: category in lower case, as Meta sends it. */
    pricing?: { billable: boolean; category: string }
    status: string
    timestamp?: number
    to?: string
  }>,
) => ({
  entry: [
    {
      id: '200000000000777',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550009999', phone_number_id: phoneNumberId },
            statuses: statuses.map((s) => ({
              id: s.id,
              recipient_id: s.to ?? '919800000000',
              status: s.status,
              timestamp: String(s.timestamp ?? Math.floor(Date.now() / 1000)),
              ...(s.pricing
                ? { pricing: { ...s.pricing, type: 'regular', pricing_model: 'PMP' } }
                : {}),
              ...(s.status === 'failed'
                ? {
                    errors: [
                      {
                        code: s.code ?? 131047,
                        error_data: {
                          details: 'Message failed to send because more than 24 hours have passed.',
                        },
                        message: 'Re-engagement message',
                        title: 'Re-engagement message',
                      },
                    ],
                  }
                : {}),
            })),
          },
        },
      ],
    },
  ],
  object: 'whatsapp_business_account',
})
