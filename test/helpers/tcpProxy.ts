import net from 'node:net'

export type TcpProxy = {
  close: () => Promise<void>
  /**
   * Like a network partition: lets the next request through to the database, drops its
   * answer and every connection, and refuses new ones for `ms`. The request may well have
   * been applied, but its sender cannot know: the worst case for a retried write.
   */
  cutAfterNextRequest: (ms: number, matching?: (request: Buffer) => boolean) => Promise<void>
  port: number
}

const cutWaitMs = 30_000

/** A TCP relay to `target`, for cutting a process's database connection on demand. */
export const startTcpProxy = (target: { host: string; port: number }) =>
  new Promise<TcpProxy>((resolve, reject) => {
    const sockets = new Set<net.Socket>()
    let down = false
    let cutRequested: { cut: () => void; matching: (request: Buffer) => boolean } | undefined
    const track = (socket: net.Socket) => {
      sockets.add(socket)
      socket.on('close', () => sockets.delete(socket))
      socket.on('error', () => socket.destroy())
    }
    const dropAll = () => sockets.forEach((socket) => socket.destroy())

    const server = net.createServer((client) => {
      track(client)
      if (down) {
        client.destroy()
        return
      }
      const upstream = net.connect(target.port, target.host)
      track(upstream)
      client.on('data', (chunk) => {
        if (down) {
          return
        }
        const requested = cutRequested
        if (requested?.matching(chunk)) {
          // Answers stop here; the request reaches the server, then the line goes dead.
          cutRequested = undefined
          down = true
          upstream.write(chunk, () => setTimeout(requested.cut, 50))
          return
        }
        upstream.write(chunk)
      })
      upstream.on('data', (chunk) => {
        if (!down) {
          client.write(chunk)
        }
      })
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      resolve({
        close: () =>
          new Promise<void>((done) => {
            dropAll()
            server.close(() => done())
          }),
        cutAfterNextRequest: async (ms, matching = () => true) => {
          await new Promise<void>((cut, reject) => {
            // A test whose traffic ended before the cut fails instead of hanging.
            const timer = setTimeout(() => {
              cutRequested = undefined
              reject(new Error(`no matching request within ${cutWaitMs / 1000} s`))
            }, cutWaitMs)
            cutRequested = {
              cut: () => {
                clearTimeout(timer)
                cut()
              },
              matching,
            }
          })
          dropAll()
          await new Promise((wait) => setTimeout(wait, ms))
          down = false
        },
        port: typeof address === 'object' && address ? address.port : 0,
      })
    })
  })
