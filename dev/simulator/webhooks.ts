import { createHmac } from 'node:crypto'

export type QueuedWebhook = { body: string; secret: string }

/** How many webhooks are posted at once by default: Meta, too, posts from a bounded set of senders. */
export const defaultWebhookSenders = 16

/**
 * Posts signed webhooks (X-Hub-Signature-256, as Meta signs them) in the background, with a
 * few retries, so that sending never waits on them. At most `senders` posts are in flight: the
 * rest wait in a queue as their body and secret only. Unbounded, a campaign at 1,000 msg/s
 * (~3 webhooks each) outran the app they post to and held thousands of requests open at once,
 * each with its socket and buffers on both sides, in the dev app's one process.
 */
export class WebhookSender {
  private active = 0
  private idle: Array<() => void> = []
  /** Posted, not yet settled: waiting out a delay, queued, or in flight. */
  private pending = 0
  private queue: QueuedWebhook[] = []
  /** The queue's first index still waiting (shifting a long array at each post would be slow). */
  private queueHead = 0

  constructor(
    private readonly url: () => string | undefined,
    private readonly senders = defaultWebhookSenders,
  ) {}

  private async deliver(hook: QueuedWebhook) {
    const url = this.url()
    if (!url) {
      return
    }
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
          return
        }
      } catch {
        // The app may be restarting: try again shortly.
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)))
    }
  }

  private enqueue(hook: QueuedWebhook) {
    this.queue.push(hook)
    this.pump()
  }

  private pump() {
    while (this.active < this.senders && this.queueHead < this.queue.length) {
      const hook = this.queue[this.queueHead++]
      if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.queueHead)
        this.queueHead = 0
      }
      this.active++
      void this.deliver(hook).finally(() => {
        this.active--
        this.pending--
        this.pump()
        if (this.pending === 0) {
          this.idle.splice(0).forEach((resolve) => resolve())
        }
      })
    }
  }

  /** Resolves once every queued webhook has been delivered (or given up on). */
  flush(): Promise<void> {
    return this.pending === 0
      ? Promise.resolve()
      : new Promise((resolve) => this.idle.push(resolve))
  }

  post(hook: QueuedWebhook, delayMs = 0): void {
    if (!this.url()) {
      return
    }
    this.pending++
    if (delayMs > 0) {
      setTimeout(() => this.enqueue(hook), delayMs)
    } else {
      this.enqueue(hook)
    }
  }

  /** Posts in flight now (at most `senders`). */
  get inFlight(): number {
    return this.active
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
