/** What the send loop needs of Meta's error classification (see src/meta). */
export type SendErrorKind = 'account' | 'permanent' | 'template' | 'throttle' | 'transient'

export type SendFailure = {
  code?: number
  kind: SendErrorKind
  message: string
  /** True when the request may have reached Meta (a response timeout): never resent on its own. */
  outcomeUnknown?: boolean
}

export type SendResult = { error: SendFailure; ok: false } | { messageId: string; ok: true }

export type TemplateMessage = {
  components: unknown[]
  language: string
  templateName: string
  to: string
}

/** Sends one template message; never throws. */
export type SendTemplate = (message: TemplateMessage) => Promise<SendResult>
