import type { Payload } from 'payload'

import { createHmac } from 'node:crypto'
import http from 'node:http'
import { expect } from 'vitest'

import { testAccount } from './fixtures.js'
import { statusBody } from './signedPost.js'

/**
 * Status webhooks posted as Meta's senders post them: `senders` connections kept alive, each
 * posting the next signed webhook (one status, id `wamid.<prefix><sender>-<n>`) as soon as the
 * last is answered, until `stop()`.
 */
export const startSteadyPosting = (url: string, prefix: string, senders = 8) => {
  const { hostname, pathname, port } = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: senders })
  /** Each answered post: its status id and HTTP status. */
  const answered: Array<{ id: string; status: number }> = []
  /** The error code of each post that got no answer. */
  const unanswered: string[] = []
  let posting = true
  const postOne = (id: string) =>
    new Promise<void>((resolve) => {
      const raw = JSON.stringify(
        statusBody(testAccount.phoneNumberId, [{ id, status: 'delivered' }]),
      )
      const signature = createHmac('sha256', testAccount.appSecret).update(raw).digest('hex')
      const request = http.request(
        {
          agent,
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': `sha256=${signature}`,
          },
          host: hostname,
          method: 'POST',
          path: pathname,
          port,
        },
        (response) => {
          response.resume()
          response.on('end', () => {
            answered.push({ id, status: response.statusCode ?? 0 })
            resolve()
          })
        },
      )
      request.on('error', (error: NodeJS.ErrnoException) => {
        unanswered.push(error.code ?? error.message)
        resolve()
      })
      request.end(raw)
    })
  const running = Array.from({ length: senders }, async (_, sender) => {
    for (let n = 0; posting; n++) {
      await postOne(`wamid.${prefix}${sender}-${n}`)
    }
  })
  return {
    answered,
    /** Resolves once `count` posts are answered. */
    answeredAtLeast: async (count: number) => {
      while (answered.length < count) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
    },
    stop: async () => {
      posting = false
      await Promise.all(running)
      agent.destroy()
    },
    unanswered,
  }
}

/** How a post fails when the port is closed or its kept-alive connection was just closed. */
const connectionGone = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'])

/**
 * Each post was answered 200, or found the port closed or its idle connection just closed (Meta
 * posts it again), and each answered one is in the event log.
 */
export const expectEachAnsweredLogged = async (
  payload: Payload,
  { answered, unanswered }: ReturnType<typeof startSteadyPosting>,
  prefix: string,
) => {
  expect(answered.filter((a) => a.status !== 200)).toEqual([])
  expect(unanswered.filter((code) => !connectionGone.has(code))).toEqual([])
  const logged = await payload.find({
    collection: 'whatsapp-webhook-events',
    limit: 0,
    pagination: false,
    where: { messageId: { like: `wamid.${prefix}` } },
  })
  expect(new Set(logged.docs.map((doc) => doc.messageId))).toEqual(
    new Set(answered.map((a) => a.id)),
  )
}
