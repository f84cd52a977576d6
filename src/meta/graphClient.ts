import type { TimedAnswer, TimedRequest } from './sendThread.js'
import type { MetaApiError, MetaTemplate, SendResult, SendSlot, SendTemplateArgs } from './types.js'

import { classifyMetaError } from './classifyError.js'
import { SlotMissed } from './sendThread.js'

export type GraphClientOptions = {
  accessToken: string
  apiVersion?: string
  baseUrl?: string
  fetch?: typeof fetch
  /** Makes a send at its slot (`SendTemplateArgs.slot`); without it a send goes at once. */
  fetchAt?: (slot: SendSlot, request: TimedRequest) => Promise<TimedAnswer>
  timeoutMs?: number
}

type MetaErrorBody = {
  error?: {
    code?: number
    error_data?: { details?: string }
    error_subcode?: number
    message?: string
  }
}

// Errors raised before a request is written: the message certainly did not reach Meta.
const connectErrors = new Set(['EAI_AGAIN', 'ECONNREFUSED', 'ENOTFOUND', 'UND_ERR_CONNECT_TIMEOUT'])

const causeCode = (error: unknown): string | undefined => {
  const cause = (error as { cause?: { code?: string } } | undefined)?.cause
  return cause?.code ?? (error as { code?: string } | undefined)?.code
}

const apiError = (httpStatus: number, body: MetaErrorBody): MetaApiError => {
  const code = body.error?.code
  const details = body.error?.error_data?.details
  const base = body.error?.message ?? `HTTP ${httpStatus}`
  return {
    code,
    httpStatus,
    kind: classifyMetaError({ code, httpStatus }),
    message: details && !base.includes(details) ? `${base}: ${details}` : base,
    outcomeUnknown: false,
    subcode: body.error?.error_subcode,
  }
}

/** Meta's Graph API for WhatsApp: template sends (never throwing) and template listing. */
export const createGraphClient = ({
  accessToken,
  apiVersion = 'v21.0',
  baseUrl = 'https://graph.facebook.com',
  fetch: fetchImpl = fetch,
  fetchAt,
  timeoutMs = 15_000,
}: GraphClientOptions) => {
  const root = `${baseUrl.replace(/\/+$/, '')}/${apiVersion}`
  const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' }

  const sendTemplate = async (args: SendTemplateArgs): Promise<SendResult> => {
    let answer: TimedAnswer
    try {
      const request = {
        body: JSON.stringify({
          type: 'template',
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          template: {
            ...(args.components.length > 0 ? { components: args.components } : {}),
            name: args.templateName,
            language: { code: args.language },
          },
          to: args.to,
        }),
        headers,
        method: 'POST' as const,
      }
      const url = `${root}/${args.phoneNumberId}/messages`
      if (fetchAt && args.slot) {
        answer = await fetchAt(args.slot, { ...request, timeoutMs, url })
      } else {
        // The body is read here too: a connection lost while it arrives leaves the outcome unknown.
        const response = await fetchImpl(url, {
          ...request,
          signal: AbortSignal.timeout(timeoutMs),
        })
        answer = { body: await response.text(), status: response.status }
      }
    } catch (error) {
      if (error instanceof SlotMissed) {
        return { missed: true, ok: false }
      }
      const timedOut = (error as Error).name === 'TimeoutError'
      const code = causeCode(error)
      const beforeSending = !timedOut && code !== undefined && connectErrors.has(code)
      return {
        error: {
          kind: classifyMetaError({ network: !timedOut, timedOut }),
          message: timedOut
            ? `No answer from Meta within ${timeoutMs} ms`
            : `Network error${code ? ` (${code})` : ''}`,
          outcomeUnknown: !beforeSending,
        },
        ok: false,
      }
    }
    let body: { messages?: Array<{ id?: string }> } & MetaErrorBody = {}
    try {
      body = answer.body ? (JSON.parse(answer.body) as typeof body) : {}
    } catch {
      // A non-JSON answer (a proxy's error page): judged by its HTTP status below.
    }
    const messageId = body.messages?.[0]?.id
    const accepted = answer.status >= 200 && answer.status < 300
    if (accepted && messageId) {
      return { messageId, ok: true }
    }
    if (accepted) {
      // Accepted, but without the id we cannot track it: the message may well be on its way.
      return {
        error: {
          kind: 'transient',
          message: 'Meta answered without a message id',
          outcomeUnknown: true,
        },
        ok: false,
      }
    }
    return { error: apiError(answer.status, body), ok: false }
  }

  async function* listTemplates(wabaId: string): AsyncGenerator<MetaTemplate> {
    let url: string | undefined = `${root}/${wabaId}/message_templates?limit=100`
    while (url) {
      const response = await fetchImpl(url, { headers, signal: AbortSignal.timeout(timeoutMs) })
      const body = (await response.json().catch(() => ({}))) as {
        data?: MetaTemplate[]
        paging?: { next?: string }
      } & MetaErrorBody
      if (!response.ok) {
        throw new Error(`Could not list templates: ${apiError(response.status, body).message}`)
      }
      yield* body.data ?? []
      url = body.paging?.next
    }
  }

  /** Reads fields of a Graph object (a phone number, a WABA); throws Meta's error. */
  const readFields = async (id: string, fields: string[]): Promise<Record<string, unknown>> => {
    const response = await fetchImpl(`${root}/${id}?fields=${fields.join(',')}`, {
      headers,
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = (await response.json().catch(() => ({}))) as MetaErrorBody &
      Record<string, unknown>
    if (!response.ok) {
      throw new Error(
        `Could not read ${fields.join(', ')}: ${apiError(response.status, body).message}`,
      )
    }
    return body
  }

  return { listTemplates, readFields, sendTemplate }
}

export type GraphClient = ReturnType<typeof createGraphClient>
