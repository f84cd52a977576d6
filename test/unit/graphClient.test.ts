import { describe, expect, test } from 'vitest'

import { createGraphClient } from '../../src/meta/graphClient.js'

const message = {
  components: [],
  language: 'en',
  phoneNumberId: '100',
  templateName: 'hello',
  to: '15550001111',
}

/** A fetch whose answer's headers arrive, then its connection is lost mid-body. */
const lostMidBody: typeof fetch = () =>
  Promise.resolve(
    new Response(
      new ReadableStream({
        pull(controller) {
          controller.enqueue(new TextEncoder().encode('{"messages":[{"id":"wam'))
          controller.error(
            Object.assign(new TypeError('terminated'), { cause: { code: 'ECONNRESET' } }),
          )
        },
      }),
      { status: 200 },
    ),
  )

describe('graph client sends', () => {
  test('a connection lost while the answer arrives: the outcome is unknown, not thrown', async () => {
    const client = createGraphClient({ accessToken: 't', fetch: lostMidBody })
    await expect(client.sendTemplate(message)).resolves.toEqual({
      error: { kind: 'transient', message: 'Network error (ECONNRESET)', outcomeUnknown: true },
      ok: false,
    })
  })

  test("Meta's error answer is read from the body, as with a send made at its slot", async () => {
    const answer = { error: { code: 131026, message: 'Message undeliverable' } }
    const client = createGraphClient({
      accessToken: 't',
      fetch: () => Promise.resolve(Response.json(answer, { status: 400 })),
    })
    const viaThread = createGraphClient({
      accessToken: 't',
      fetchAt: () => Promise.resolve({ body: JSON.stringify(answer), status: 400 }),
    })
    const slot = { at: Date.now(), latest: Date.now() + 1000 }
    const direct = await client.sendTemplate(message)
    expect(direct).toMatchObject({
      error: { code: 131026, httpStatus: 400, message: 'Message undeliverable' },
      ok: false,
    })
    expect(await viaThread.sendTemplate({ ...message, slot })).toEqual(direct)
  })
})
