import http from 'node:http'
import net from 'node:net'
import { afterAll, beforeAll, expect, test } from 'vitest'

import { openFrontDoor, receivedAtHeader } from '../../dev/simulator/frontDoor.js'

type Seen = { body: string; receivedAt: number; url: string }

let upstream: http.Server
let door: Awaited<ReturnType<typeof openFrontDoor>>
const seen: Seen[] = []
/** Requests the upstream saw closed by their client before it answered. */
let abandoned = 0

beforeAll(async () => {
  // Answers as the simulator does: only once the whole request is read; /slow waits first.
  upstream = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      seen.push({ body, receivedAt: Number(req.headers[receivedAtHeader]), url: req.url ?? '' })
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ length: body.length, url: req.url }))
      }
      if (req.url === '/slow') {
        const timer = setTimeout(answer, 5000)
        res.on('close', () => {
          if (!res.writableEnded) {
            clearTimeout(timer)
            abandoned++
          }
        })
      } else {
        answer()
      }
    })
  })
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
  const { port } = upstream.address() as net.AddressInfo
  door = await openFrontDoor({ host: '127.0.0.1', listenPort: 0, port })
})

afterAll(async () => {
  await door.close()
  upstream.closeAllConnections()
  await new Promise((resolve) => upstream.close(resolve))
})

const post = (agent: http.Agent, path: string, body: string) =>
  new Promise<{ length: number; url: string }>((resolve, reject) => {
    const request = http.request(
      {
        agent,
        headers: { 'content-length': Buffer.byteLength(body) },
        method: 'POST',
        path,
        port: door.port,
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))))
      },
    )
    request.on('error', reject)
    request.end(body)
  })

test('every request of a kept-alive connection is stamped and passed on whole, large bodies included', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  let connections = 0
  const counting = () => {
    connections++
  }
  upstream.on('connection', counting)
  const bodies = ['{}', 'x'.repeat(3_000_000), '{"to":"9198"}', 'é'.repeat(70_000), '']
  const before = Date.now()
  const answers = []
  for (const [i, body] of bodies.entries()) {
    answers.push(await post(agent, `/r${i}`, body))
  }
  agent.destroy()
  upstream.off('connection', counting)
  expect(answers).toEqual(bodies.map((b, i) => ({ length: b.length, url: `/r${i}` })))
  const mine = seen.filter((s) => s.url.startsWith('/r'))
  expect(mine.map((s) => s.body)).toEqual(bodies)
  for (const s of mine) {
    expect(s.receivedAt).toBeGreaterThanOrEqual(before)
    expect(s.receivedAt).toBeLessThanOrEqual(Date.now())
  }
  // One connection carried them all.
  expect(connections).toBe(1)
})

test('a request line split across packets is stamped with when its first bytes came', async () => {
  const socket = net.connect(door.port, '127.0.0.1')
  await new Promise((resolve) => socket.once('connect', resolve))
  socket.setNoDelay(true)
  const firstAt = Date.now()
  socket.write('PO')
  await new Promise((resolve) => setTimeout(resolve, 300))
  socket.write('ST /split HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\nab')
  await new Promise((resolve) => setTimeout(resolve, 50))
  socket.write('cde')
  const answer = await new Promise<string>((resolve) =>
    socket.once('data', (d) => resolve(String(d))),
  )
  socket.destroy()
  expect(answer).toMatch(/^HTTP\/1\.1 200/)
  const split = seen.find((s) => s.url === '/split')
  expect(split?.body).toBe('abcde')
  expect(split!.receivedAt).toBeGreaterThanOrEqual(firstAt)
  expect(split!.receivedAt).toBeLessThan(firstAt + 200)
})

test('a client that gives up closes its request at the simulator too', async () => {
  const request = http.request({ method: 'POST', path: '/slow', port: door.port })
  request.on('error', () => undefined)
  request.end('{}')
  await expect.poll(() => seen.some((s) => s.url === '/slow')).toBe(true)
  request.destroy()
  await expect.poll(() => abandoned, { timeout: 2000 }).toBe(1)
})
