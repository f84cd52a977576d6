import http from 'node:http'
import net from 'node:net'
import { afterEach, describe, expect, test } from 'vitest'

import { answerEnd, keptAliveClient } from '../helpers/keptAliveClient.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()))
})

const listen = async (server: http.Server | net.Server) => {
  const sockets = new Set<net.Socket>()
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        sockets.forEach((socket) => socket.destroy())
      }),
  )
  return new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/hook`)
}

const post = (url: URL, body: string) =>
  Buffer.from(
    `POST ${url.pathname} HTTP/1.1\r\nhost: ${url.host}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  )

/** A server answering each request's body length, as `shape` says; counts its connections. */
const countingServer = async (shape: 'chunked' | 'close' | 'length', closeIdleAfterMs = 0) => {
  const seen: string[] = []
  let connections = 0
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      seen.push(body)
      const answer = JSON.stringify({ length: body.length })
      if (closeIdleAfterMs > 0) {
        res.once('finish', () => setTimeout(() => req.socket.destroy(), closeIdleAfterMs))
      }
      if (shape === 'chunked') {
        // No length: Node frames it chunked, as Next.js does route answers.
        res.writeHead(201)
        res.write(answer.slice(0, 5))
        setTimeout(() => res.end(answer.slice(5)), 5)
      } else {
        res.writeHead(200, {
          'content-length': Buffer.byteLength(answer),
          ...(shape === 'close' ? { connection: 'close' } : {}),
        })
        res.end(answer)
      }
    })
  })
  server.on('connection', () => connections++)
  const url = await listen(server)
  return { connections: () => connections, seen, url }
}

describe('answerEnd', () => {
  test('is undefined until the answer is whole, then says where it ends', () => {
    const whole = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1')
    expect(answerEnd(whole.subarray(0, 20))).toBeUndefined()
    expect(answerEnd(whole.subarray(0, 40))).toBeUndefined()
    expect(answerEnd(whole)).toEqual({ close: false, end: 43, status: 200 })
    const chunked = Buffer.from(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n',
    )
    for (let cut = 0; cut < chunked.length; cut++) {
      expect(answerEnd(chunked.subarray(0, cut))).toBeUndefined()
    }
    expect(answerEnd(chunked)).toEqual({ close: true, end: chunked.length, status: 200 })
    expect(answerEnd(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n'))).toMatchObject({
      status: 204,
    })
    expect(answerEnd(Buffer.from('HTTP/1.0 200 OK\r\n\r\nuntil close'))).toMatchObject({
      toClose: true,
    })
  })
})

describe('keptAliveClient', () => {
  test('posts each request whole over at most its connections, kept alive', async () => {
    for (const shape of ['length', 'chunked'] as const) {
      const server = await countingServer(shape)
      const send = keptAliveClient(server.url, 4)
      const bodies = Array.from({ length: 200 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(i)}"}`)
      const statuses = await Promise.all(bodies.map((body) => send(post(server.url, body))))
      expect(new Set(statuses)).toEqual(new Set([shape === 'chunked' ? 201 : 200]))
      expect(server.seen.sort()).toEqual([...bodies].sort())
      expect(server.connections()).toBe(4)
      // Sequential posts reuse the connections.
      for (const body of bodies.slice(0, 20)) {
        await send(post(server.url, body))
      }
      expect(server.connections()).toBe(4)
    }
  })

  test('opens a new connection after an answer that closes its own', async () => {
    const server = await countingServer('close')
    const send = keptAliveClient(server.url, 2)
    for (let i = 0; i < 5; i++) {
      expect(await send(post(server.url, `{"i":${i}}`))).toBe(200)
    }
    expect(server.connections()).toBe(5)
  })

  test('drops connections the server closed while idle', async () => {
    const server = await countingServer('length', 50)
    const send = keptAliveClient(server.url, 2)
    for (let i = 0; i < 3; i++) {
      expect(await send(post(server.url, `{"i":${i}}`))).toBe(200)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(server.connections()).toBe(3)
  })

  test('reads an answer that comes in pieces, and one that runs to the close', async () => {
    const pieces = [
      'HTTP/1.1 200 OK\r\nTransfer-Enc',
      'oding: chunked\r\n\r\n4\r\nab',
      'cd\r\n0\r',
      '\n\r\n',
    ]
    const server = net.createServer((socket) => {
      socket.on('data', async (request) => {
        if (request.toString().includes('to-close')) {
          socket.end('HTTP/1.0 202 Accepted\r\n\r\nthe rest')
          return
        }
        for (const piece of pieces) {
          socket.write(piece)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      })
    })
    const url = await listen(server)
    const send = keptAliveClient(url, 1)
    expect(await send(post(url, '{}'))).toBe(200)
    expect(await send(post(url, 'to-close'))).toBe(202)
  })

  test('ignores what a server writes on an idle connection, and answers the next request alone', async () => {
    const server = net.createServer((socket) => {
      socket.on('data', (request) => {
        const status = request.toString().includes('first') ? 200 : 201
        socket.write(`HTTP/1.1 ${status} OK\r\ncontent-length: 0\r\n\r\n`)
        if (status === 200) {
          // As a server timing the connection out would, but closing it only later.
          setTimeout(() => socket.write('HTTP/1.1 408 Request Timeout\r\n\r\n'), 20)
          setTimeout(() => socket.end(), 300)
        }
      })
    })
    const url = await listen(server)
    const send = keptAliveClient(url, 1)
    expect(await send(post(url, 'first'))).toBe(200)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(await send(post(url, 'second'))).toBe(201)
  })

  test('fails a request as Node does when the port is closed or the connection drops', async () => {
    const closed = net.createServer()
    const url = await listen(closed)
    await closers.pop()!()
    await expect(keptAliveClient(url, 1)(post(url, '{}'))).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    })
    const hangingUp = net.createServer((socket) => socket.once('data', () => socket.destroy()))
    const dropping = await listen(hangingUp)
    await expect(keptAliveClient(dropping, 1)(post(dropping, '{}'))).rejects.toMatchObject({
      code: 'ECONNRESET',
    })
  })
})
