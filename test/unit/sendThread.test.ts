import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'

import { createGraphClient } from '../../src/meta/graphClient.js'
import { fetchAt } from '../../src/meta/sendThread.js'

// Meta, in a process of its own so that it notes each request's arrival while this one is busy:
// it answers a message id and prints when the request came; /hang never answers.
const metaSource = `
const http = require('node:http')
let connections = 0
const server = http.createServer((req, res) => {
  const at = Date.now()
  if (req.url.includes('hang')) return
  req.resume()
  req.on('end', () => {
    process.stdout.write(JSON.stringify({ at, connection: req.socket.n, url: req.url }) + '\\n')
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ messages: [{ id: 'wamid.1' }] }))
  })
})
server.on('connection', (socket) => (socket.n = ++connections))
// Longer than the thread's idle timeout, so a closed connection is the thread's doing.
server.keepAliveTimeout = 10000
server.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ port: server.address().port }) + '\\n'))
`

let meta: ChildProcess
let port = 0
const arrivals: Array<{ at: number; connection: number; url: string }> = []

beforeAll(async () => {
  meta = spawn(process.execPath, ['-e', metaSource], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve) => {
    let buffer = ''
    meta.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop()!
      for (const line of lines) {
        const parsed = JSON.parse(line) as {
          at: number
          connection: number
          port?: number
          url: string
        }
        if (parsed.port) {
          port = parsed.port
          resolve()
        } else {
          arrivals.push(parsed)
        }
      }
    })
  })
})

afterAll(() => {
  meta.kill()
})

const busyUntil = (time: number) => {
  while (Date.now() < time) {
    // This thread is stalled, as a site is while it answers webhooks.
  }
}

/** A Graph client sending through the thread to `metaPort`. */
const threadClient = (metaPort: number, timeoutMs?: number) =>
  createGraphClient({
    accessToken: 't',
    baseUrl: `http://127.0.0.1:${metaPort}`,
    fetchAt,
    timeoutMs,
  })

/** A slot starting now. */
const soon = () => ({ at: Date.now(), latest: Date.now() + 1000 })

const message = { components: [], language: 'en', templateName: 'hello', to: '15550001111' }

describe('send thread', () => {
  test('a send goes at its time, not before, even while this thread is stalled past it', async () => {
    const client = threadClient(port)
    // The thread is up before the timed send (its first start takes a while).
    await client.sendTemplate({ ...message, phoneNumberId: 'warm', slot: soon() })
    const at = Date.now() + 300
    const answer = client.sendTemplate({
      ...message,
      phoneNumberId: 'timed',
      // Room for a loaded machine (tests run two files at a time on two cores).
      slot: { at, latest: at + 100 },
    })
    busyUntil(at + 200)
    expect(await answer).toEqual({ messageId: 'wamid.1', ok: true })
    await expect.poll(() => arrivals.some((a) => a.url.includes('timed'))).toBe(true)
    const arrived = arrivals.find((a) => a.url.includes('timed'))!
    expect(arrived.at).toBeGreaterThanOrEqual(at)
    // Made by the thread while this one was stalled 200 ms past the time.
    expect(arrived.at - at).toBeLessThan(200)
  })

  test('a request whose latest time has passed is not made: missed, to go at another slot', async () => {
    const client = threadClient(port)
    const at = Date.now()
    const answer = client.sendTemplate({
      ...message,
      phoneNumberId: 'late',
      // Room for a loaded machine, as above.
      slot: { at, latest: at + 100 },
    })
    // This thread hands the request over, then stalls; the send thread gets it in time.
    busyUntil(at + 50)
    expect(await answer).toEqual({ messageId: 'wamid.1', ok: true })
    const missed = await client.sendTemplate({
      ...message,
      phoneNumberId: 'missed',
      slot: { at: at - 50, latest: at - 20 },
    })
    expect(missed).toEqual({ missed: true, ok: false })
    await client.sendTemplate({ ...message, phoneNumberId: 'after', slot: soon() })
    await expect.poll(() => arrivals.some((a) => a.url.includes('after'))).toBe(true)
    expect(arrivals.some((a) => a.url.includes('missed'))).toBe(false)
  })

  test('a connection is reused while busy, and closed after 4 s idle (before a server closes it)', async () => {
    const client = threadClient(port)
    const connectionOf = async (name: string) => {
      await client.sendTemplate({ ...message, phoneNumberId: name, slot: soon() })
      await expect.poll(() => arrivals.some((a) => a.url.includes(`/${name}/`))).toBe(true)
      return arrivals.find((a) => a.url.includes(`/${name}/`))!.connection
    }
    const first = await connectionOf('idle1')
    expect(await connectionOf('idle2')).toBe(first)
    await new Promise((resolve) => setTimeout(resolve, 4500))
    expect(await connectionOf('idle3')).not.toBe(first)
  })

  test('no answer within the timeout: outcome unknown, as with a send made here', async () => {
    const client = threadClient(port, 200)
    const result = await client.sendTemplate({ ...message, phoneNumberId: 'hang', slot: soon() })
    expect(result).toMatchObject({
      error: { message: 'No answer from Meta within 200 ms', outcomeUnknown: true },
      ok: false,
    })
  })

  test('a refused connection: certainly not sent, retried like a send made here', async () => {
    // A port nothing listens on.
    const closed = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number }
        server.close(() => resolve(free))
      })
    })
    const client = threadClient(closed)
    const result = await client.sendTemplate({ ...message, phoneNumberId: 'p1', slot: soon() })
    expect(result).toMatchObject({
      error: { kind: 'transient', message: 'Network error (ECONNREFUSED)', outcomeUnknown: false },
      ok: false,
    })
  })
})
