import type { Payload } from 'payload'

import { expect } from 'vitest'

import { testAccount } from './fixtures.js'
import { statusBody } from './signedPost.js'
import { signedPoster } from './signedPoster.js'

/**
 * Status webhooks posted as Meta's senders post them: `senders` connections kept alive, each
 * posting the next signed webhook (one status, id `wamid.<prefix><sender>-<n>`) as soon as the
 * last is answered, until `stop()`.
 */
export const startSteadyPosting = (url: string, prefix: string, senders = 8) => {
  const post = signedPoster(new URL(url), { appSecret: testAccount.appSecret, senders })
  /** Each answered post: its status id and HTTP status. */
  const answered: Array<{ id: string; status: number }> = []
  /** The error code of each post that got no answer. */
  const unanswered: string[] = []
  let posting = true
  const postOne = async (id: string) => {
    try {
      const status = await post(
        statusBody(testAccount.phoneNumberId, [{ id, status: 'delivered' }]),
      )
      answered.push({ id, status })
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException
      unanswered.push(code ?? message)
    }
  }
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
