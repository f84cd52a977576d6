import net from 'node:net'

/**
 * Where an HTTP/1.1 answer ends in `bytes`, read from its first byte, and what it says; undefined
 * until all of it has come. Its body is framed by content-length or chunked (Next.js streams
 * route answers), else it runs to the connection's close (`toClose`).
 */
export const answerEnd = (
  bytes: Buffer,
): { close: boolean; end: number; status: number; toClose?: boolean } | undefined => {
  const headEnd = bytes.indexOf('\r\n\r\n')
  if (headEnd === -1) {
    return undefined
  }
  const [statusLine, ...lines] = bytes.toString('latin1', 0, headEnd).split('\r\n')
  const status = Number(statusLine.split(' ')[1])
  const headers = new Map(
    lines.map((line) => {
      const colon = line.indexOf(':')
      return [
        line.slice(0, colon).trim().toLowerCase(),
        line
          .slice(colon + 1)
          .trim()
          .toLowerCase(),
      ]
    }),
  )
  const close = headers.get('connection') === 'close'
  const bodyStart = headEnd + 4
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return { close, end: bodyStart, status }
  }
  if (headers.get('transfer-encoding')?.includes('chunked')) {
    let at = bodyStart
    for (;;) {
      const lineEnd = bytes.indexOf('\r\n', at)
      if (lineEnd === -1) {
        return undefined
      }
      const size = parseInt(bytes.toString('latin1', at, lineEnd).split(';')[0], 16)
      if (size === 0) {
        // The last chunk, then trailers (none, usually) up to an empty line.
        const blankLine = bytes.indexOf('\r\n\r\n', lineEnd)
        return blankLine === -1 ? undefined : { close, end: blankLine + 4, status }
      }
      at = lineEnd + 2 + size + 2
      if (at > bytes.length) {
        return undefined
      }
    }
  }
  const length = headers.get('content-length')
  if (length === undefined) {
    return { close: true, end: bytes.length, status, toClose: true }
  }
  const end = bodyStart + Number(length)
  return end <= bytes.length ? { close, end, status } : undefined
}

type Waiter = { reject: (error: Error) => void; resolve: (status: number) => void }

/**
 * A client for Meta's simulated senders: requests written whole, as given, on at most
 * `connections` kept-alive connections to `url`'s host, one at a time each, resolving with the
 * answer's status. Node's http client cost ~0.2 ms of CPU per request here, this ~0.06: on the
 * two cores a bench shares with the site, what Meta's side spends is taken from the site.
 * A connection the server closes while idle is dropped, as Node's agent does; one that closes
 * while a request waits fails it with the socket's error or ECONNRESET, as Node's does.
 */
export const keptAliveClient = (url: URL, connections: number) => {
  const idle: Array<(request: Buffer, waiter: Waiter) => void> = []
  const queued: Array<{ request: Buffer; waiter: Waiter }> = []
  let open = 0

  const connect = () => {
    open++
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 80) })
    socket.setNoDelay(true)
    let waiter: undefined | Waiter
    let received: Buffer[] = []
    let error: Error | undefined
    const use = (request: Buffer, next: Waiter) => {
      waiter = next
      socket.write(request)
    }
    const release = () => {
      const next = queued.shift()
      if (next) {
        use(next.request, next.waiter)
      } else {
        idle.push(use)
      }
    }
    socket.on('data', (chunk: Buffer) => {
      // Bytes no request waits for (a server's 408 to an idle connection before it closes it)
      // would be read as the next request's answer.
      if (!waiter) {
        return
      }
      received.push(chunk)
      const bytes = received.length === 1 ? chunk : Buffer.concat(received)
      const answer = answerEnd(bytes)
      if (!answer || answer.toClose) {
        received = [bytes]
        return
      }
      const done = waiter
      waiter = undefined
      received = []
      if (answer.close) {
        socket.destroy()
      } else {
        release()
      }
      done.resolve(answer.status)
    })
    socket.on('error', (cause: Error) => (error = cause))
    socket.on('close', () => {
      open--
      const at = idle.indexOf(use)
      if (at !== -1) {
        idle.splice(at, 1)
      }
      const answer = received.length > 0 ? answerEnd(Buffer.concat(received)) : undefined
      if (waiter && answer?.toClose) {
        waiter.resolve(answer.status)
      } else if (waiter) {
        waiter.reject(error ?? Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))
      }
      // Requests waiting for a connection get a new one.
      if (queued.length > 0 && open < connections) {
        const next = queued.shift()!
        connect()(next.request, next.waiter)
      }
    })
    return use
  }

  return (request: Buffer) =>
    new Promise<number>((resolve, reject) => {
      const waiter = { reject, resolve }
      const use = idle.pop()
      if (use) {
        use(request, waiter)
      } else if (open < connections) {
        connect()(request, waiter)
      } else {
        queued.push({ request, waiter })
      }
    })
}
