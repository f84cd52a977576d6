import type { Payload } from 'payload'

import http from 'node:http'

import { getPluginOptions } from '../pluginContext.js'
import {
  acceptEvents,
  answerVerification,
  json,
  type WebhookAnswer,
  webhookPath,
} from './endpoints.js'

export type WebhookReceiverOptions = {
  /** The interface to listen on. Default: all of them. */
  host?: string
  /**
   * The path Meta posts to. Default: the endpoint's own under Payload's REST route,
   * `/api/whatsapp/webhook` unless the config's `routes.api` moves it.
   */
  path?: string
  /** The port to listen on (0: any free port; `url` tells which). */
  port: number
}

export type WebhookReceiver = {
  /**
   * Stops taking requests, answers those in progress (closing their connections, which Meta's
   * senders keep alive and would go on using), then resolves.
   */
  close: () => Promise<void>
  /** Where it listens, e.g. `http://0.0.0.0:3001/api/whatsapp/webhook`. */
  url: string
}

/**
 * The body as text, read up to one byte past `maxBytes`: a longer body is drained but not kept,
 * so that the handler refuses it (413) without this process holding it.
 */
const bodyText = async (incoming: http.IncomingMessage, maxBytes: number) => {
  const chunks: Buffer[] = []
  let kept = 0
  for await (const chunk of incoming) {
    const buffer = chunk as Buffer
    if (kept <= maxBytes) {
      chunks.push(buffer.subarray(0, maxBytes + 1 - kept))
      kept += Math.min(buffer.length, maxBytes + 1 - kept)
    }
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * The webhook outside Next.js and Payload's REST route, on a port of its own: the same checks,
 * log and answers as the endpoint, for a fraction of the CPU per request (Next.js's own request
 * handling costs more than the whole webhook). Events it logs are applied by the applier, in
 * whichever process holds its lease; `logged` wakes this process's.
 */
export const serveWebhooks = async (
  payload: Payload,
  logged: (payload: Payload) => void,
  { host, path = `${payload.config.routes.api}${webhookPath}`, port }: WebhookReceiverOptions,
): Promise<WebhookReceiver> => {
  const options = getPluginOptions(payload)
  let closing = false
  /** Writes a handler's answer; once closing, closes its connection. */
  const send = (outgoing: http.ServerResponse, { body, headers, status }: WebhookAnswer) => {
    outgoing.writeHead(status, {
      ...headers,
      'content-length': Buffer.byteLength(body),
      ...(closing ? { connection: 'close' } : {}),
    })
    outgoing.end(body)
  }
  const server = http.createServer((incoming, outgoing) => {
    const url = new URL(incoming.url ?? '/', 'http://receiver')
    if (url.pathname !== path) {
      send(outgoing, json({ error: `Not found: webhooks are received at ${path}.` }, 404))
      incoming.resume()
      return
    }
    if (incoming.method !== 'GET' && incoming.method !== 'POST') {
      outgoing.setHeader('allow', 'GET, POST')
      send(outgoing, json({ error: 'Method not allowed.' }, 405))
      incoming.resume()
      return
    }
    const req = {
      headers: {
        get: (name: string) => {
          const value = incoming.headers[name.toLowerCase()]
          return Array.isArray(value) ? value.join(', ') : (value ?? null)
        },
      },
      payload,
      searchParams: url.searchParams,
      text: () => bodyText(incoming, options.webhookMaxBytes),
    }
    void (
      incoming.method === 'GET'
        ? answerVerification(req, options)
        : acceptEvents(req, options, logged)
    )
      .then((answer) => {
        send(outgoing, answer)
        // A body refused unread (too large by its length) is drained, keeping the connection.
        incoming.resume()
      })
      .catch((error: unknown) => {
        // Not acknowledged: Meta posts the events again.
        payload.logger.error({ err: error }, 'whatsapp webhook receiver: request failed')
        if (!outgoing.headersSent) {
          send(outgoing, json({ error: 'The events could not be logged; post them again.' }, 500))
        } else {
          outgoing.destroy()
        }
      })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const listening = typeof address === 'object' && address ? address : { address: host, port }
  const shownHost = listening.address?.includes(':')
    ? `[${listening.address}]`
    : (listening.address ?? 'localhost')
  return {
    close: () =>
      new Promise<void>((resolve) => {
        // server.close() alone waits for every kept-alive connection to go idle, which under
        // Meta's steady posting it never does.
        closing = true
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
    url: `http://${shownHost}:${listening.port}${path}`,
  }
}
