import { createHmac } from 'node:crypto'

export type QueuedWebhook = { body: string; secret: string }

/**
 * Posts signed webhooks (X-Hub-Signature-256, as Meta signs them) in the background, with a
 * few retries, so that sending never waits on them.
 */
export class WebhookSender {
  private idle: Array<() => void> = []
  private inFlight = 0

  constructor(private readonly url: () => string | undefined) {}

  /** Resolves once every queued webhook has been delivered (or given up on). */
  flush(): Promise<void> {
    return this.inFlight === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.idle.push(resolve))
  }

  post(hook: QueuedWebhook, delayMs = 0): void {
    const url = this.url()
    if (!url) {
      return
    }
    this.inFlight++
    void (async () => {
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      const signature = createHmac('sha256', hook.secret).update(hook.body).digest('hex')
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          const response = await fetch(url, {
            body: hook.body,
            headers: {
              'content-type': 'application/json',
              'x-hub-signature-256': `sha256=${signature}`,
            },
            method: 'POST',
          })
          await response.arrayBuffer()
          if (response.status < 500) {
            break
          }
        } catch {
          // The app may be restarting: try again shortly.
        }
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)))
      }
    })().finally(() => {
      this.inFlight--
      if (this.inFlight === 0) {
        this.idle.splice(0).forEach((resolve) => resolve())
      }
    })
  }
}

export const statusPayload = (args: {
  displayPhoneNumber: string
  errors?: Array<{ code: number; message: string; title: string }>
  messageId: string
  phoneNumberId: string
  /** Meta's pricing category (lower case); every status then carries a pricing object. */
  pricingCategory?: string
  recipient: string
  status: string
  wabaId: string
}) => ({
  entry: [
    {
      id: args.wabaId,
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: {
              display_phone_number: args.displayPhoneNumber,
              phone_number_id: args.phoneNumberId,
            },
            statuses: [
              {
                id: args.messageId,
                recipient_id: args.recipient,
                status: args.status,
                timestamp: String(Math.floor(Date.now() / 1000)),
                ...(args.pricingCategory
                  ? {
                      pricing: {
                        type: 'regular',
                        billable: args.status !== 'failed',
                        category: args.pricingCategory,
                        pricing_model: 'PMP',
                      },
                    }
                  : {}),
                ...(args.errors
                  ? {
                      errors: args.errors.map((e) => ({
                        ...e,
                        error_data: { details: e.message },
                      })),
                    }
                  : {}),
              },
            ],
          },
        },
      ],
    },
  ],
  object: 'whatsapp_business_account',
})
