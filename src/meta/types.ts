import type { ErrorKind } from './classifyError.js'

export type MetaTemplate = {
  category?: string
  components: Array<{ type: string } & Record<string, unknown>>
  id: string
  language: string
  name: string
  parameter_format?: 'NAMED' | 'POSITIONAL'
  rejected_reason?: string
  status: string
}

export type MetaApiError = {
  code?: number
  httpStatus?: number
  kind: ErrorKind
  message: string
  /**
   * True when the request may have reached Meta but no answer came back (a response timeout
   * or a connection cut after sending): resending could message the recipient twice.
   */
  outcomeUnknown: boolean
  subcode?: number
}

export type SendResult =
  | { error: MetaApiError; ok: false }
  | { messageId: string; ok: true }
  /** Not sent: `latest` (SendTemplateArgs) passed before the request could be made. */
  | { missed: true; ok: false }

/** When a send goes (Date.now() times): at `at`, and never after `latest`. */
export type SendSlot = { at: number; latest: number }

export type SendTemplateArgs = {
  components: unknown[]
  language: string
  phoneNumberId: string
  /**
   * When to send (Date.now() times): at `at`, never after `latest` (a request that cannot be
   * made by then is not made: `missed`). At once if omitted.
   */
  slot?: SendSlot
  templateName: string
  to: string
}
