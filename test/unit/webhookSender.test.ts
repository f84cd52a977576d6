import { createHmac } from 'node:crypto'
import http from 'node:http'
import { afterEach, expect, test } from 'vitest'

import { WebhookSender } from '../../dev/simulator/webhooks.js'

type SlowServer = {
  bodies: string[]
  close: () => Promise<void>
  /** The most requests the server was answering at once. */
  most: () => number
  url: string
}

const servers: SlowServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

/** Answers each webhook after `answerMs`; `failFirst` bodies get a 503 on their first post. */
const slowServer = async (answerMs: number, failFirst = new Set<string>()): Promise<SlowServer> => {
  const bodies: string[] = []
  let open = 0
  let most = 0
  const server = http.createServer((req, res) => {
    open++
    most = Math.max(most, open)
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const signed = `sha256=${createHmac('sha256', 'secret').update(body).digest('hex')}`
      setTimeout(() => {
        open--
        if (failFirst.delete(body)) {
          res.writeHead(503).end()
          return
        }
        if (req.headers['x-hub-signature-256'] === signed) {
          bodies.push(body)
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      }, answerMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  const slow: SlowServer = {
    bodies,
    close: () => {
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
    most: () => most,
    url: `http://127.0.0.1:${port}/webhook`,
  }
  servers.push(slow)
  return slow
}

test('never more than its senders in flight against a slow app, and none lost', async () => {
  const server = await slowServer(20)
  const sender = new WebhookSender(() => server.url, 4)
  const bodies = Array.from({ length: 300 }, (_, i) => JSON.stringify({ n: i }))
  let mostSeen = 0
  bodies.forEach((body, i) => {
    // Some now, some after a delay, as the simulator posts a message's statuses.
    sender.post({ body, secret: 'secret' }, i % 3 === 0 ? 0 : i % 7)
    mostSeen = Math.max(mostSeen, sender.inFlight)
  })
  await sender.flush()
  expect(server.most()).toBeLessThanOrEqual(4)
  expect(mostSeen).toBeLessThanOrEqual(4)
  expect([...server.bodies].sort()).toEqual([...bodies].sort())
  expect(sender.inFlight).toBe(0)
})

test('by default posts from 16 senders at most, like Meta', async () => {
  const server = await slowServer(30)
  const sender = new WebhookSender(() => server.url)
  const bodies = Array.from({ length: 200 }, (_, i) => JSON.stringify({ n: i }))
  bodies.forEach((body) => sender.post({ body, secret: 'secret' }))
  await sender.flush()
  // All 16 used, never more.
  expect(server.most()).toBe(16)
  expect(server.bodies).toHaveLength(200)
})

test('a webhook the app answers 503 is posted again, still within the bound', async () => {
  const bodies = Array.from({ length: 40 }, (_, i) => JSON.stringify({ n: i }))
  const server = await slowServer(5, new Set(bodies.filter((_, i) => i % 4 === 0)))
  const sender = new WebhookSender(() => server.url, 2)
  bodies.forEach((body) => sender.post({ body, secret: 'secret' }))
  await sender.flush()
  expect(server.most()).toBeLessThanOrEqual(2)
  expect([...server.bodies].sort()).toEqual([...bodies].sort())
})

test('flush waits for delayed webhooks not yet queued', async () => {
  const server = await slowServer(1)
  const sender = new WebhookSender(() => server.url, 2)
  sender.post({ body: '{"late":true}', secret: 'secret' }, 50)
  await sender.flush()
  expect(server.bodies).toEqual(['{"late":true}'])
})
