import type { SendSlot } from '../meta/types.js'

/** What the send loop needs of Meta's error classification (see src/meta). */
export type SendErrorKind = 'account' | 'permanent' | 'template' | 'throttle' | 'transient'

export type SendFailure = {
  code?: number
  kind: SendErrorKind
  message: string
  /** True when the request may have reached Meta (a response timeout): never resent on its own. */
  outcomeUnknown?: boolean
}

export type SendResult =
  | { error: SendFailure; ok: false }
  | { messageId: string; ok: true }
  /** Not sent: the sender could not make the request by the slot's latest time. */
  | { missed: true; ok: false }

export type TemplateMessage = {
  components: unknown[]
  language: string
  templateName: string
  to: string
}

/**
 * Sends one template message at its slot (at once if its time has passed, or if the sender
 * cannot wait: then the caller waits, see SendLoopArgs.sendLeadMs); never throws.
 */
export type SendTemplate = (message: TemplateMessage, slot: SendSlot) => Promise<SendResult>
