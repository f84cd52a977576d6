import type { SanitizedConfig } from 'payload'

import http from 'node:http'
import { handleEndpoints } from 'payload'

export type RestServer = { close: () => Promise<void>; url: string }

/** Serves Payload's REST API over real HTTP, so webhooks and clients reach it as in production. */
export const startRestServer = async (
  config: Promise<SanitizedConfig>,
  payloadInstanceCacheKey: string,
): Promise<RestServer> => {
  const server = http.createServer((incoming, outgoing) => {
    void (async () => {
      const chunks: Buffer[] = []
      for await (const chunk of incoming) {
        chunks.push(chunk as Buffer)
      }
      const body = Buffer.concat(chunks)
      const headers = new Headers()
      for (const [key, value] of Object.entries(incoming.headers)) {
        if (typeof value === 'string') {
          headers.set(key, value)
        } else if (Array.isArray(value)) {
          value.forEach((v) => headers.append(key, v))
        }
      }
      const request = new Request(`http://${incoming.headers.host}${incoming.url}`, {
        body: body.length > 0 && incoming.method !== 'GET' ? body : undefined,
        headers,
        method: incoming.method,
      })
      const response = await handleEndpoints({ config, payloadInstanceCacheKey, request })
      outgoing.writeHead(response.status, Object.fromEntries(response.headers.entries()))
      outgoing.end(Buffer.from(await response.arrayBuffer()))
    })().catch((error: unknown) => {
      outgoing.writeHead(500, { 'content-type': 'text/plain' })
      outgoing.end(String(error))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
    url: `http://127.0.0.1:${port}`,
  }
}
