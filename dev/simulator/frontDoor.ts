import { Worker } from 'node:worker_threads'

/** The header the front door stamps each request with: when it arrived (Date.now()). */
export const receivedAtHeader = 'x-simulator-received-at'

/**
 * The thread's program, run from source so that it needs no second file: an HTTP proxy that
 * notes when each request arrives and passes it on to the simulator with that time.
 */
const source = `
const http = require('node:http')
const { parentPort, workerData } = require('node:worker_threads')
const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 })
const server = http.createServer((req, res) => {
  const headers = { ...req.headers, '${receivedAtHeader}': String(Date.now()) }
  const upstream = http.request(
    { agent, headers, host: '127.0.0.1', method: req.method, path: req.url, port: workerData.port },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers)
      answer.pipe(res)
    },
  )
  upstream.on('error', () => res.destroy())
  // A client that gives up (a timeout) leaves the simulator's answer unread.
  res.on('close', () => upstream.destroy())
  req.pipe(upstream)
})
server.keepAliveTimeout = 30000
server.once('error', (error) => parentPort.postMessage({ code: error.code, error: error.message }))
server.listen(workerData.listenPort, workerData.host, () =>
  parentPort.postMessage({ port: server.address().port }),
)
`

/**
 * Meta's front door: a thread of its own that stamps each request's arrival and passes it to the
 * simulator on `port`. The throughput cap counts those times; stamped by the simulator itself,
 * they would be as late as its process is busy (in a test, with the whole site in it), and sends
 * that left on time would count bunched together.
 */
export const openFrontDoor = async (args: { host: string; listenPort: number; port: number }) => {
  const worker = new Worker(source, { eval: true, workerData: args })
  const port = await new Promise<number>((resolve, reject) => {
    // The code (EADDRINUSE) kept: a caller may share what already listens there.
    worker.once('message', (message: { code?: string; error?: string; port?: number }) =>
      message.port
        ? resolve(message.port)
        : reject(Object.assign(new Error(message.error), { code: message.code })),
    )
    worker.once('error', reject)
  })
  return { close: () => worker.terminate().then(() => undefined), port }
}
