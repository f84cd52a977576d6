import { Worker } from 'node:worker_threads'

/** The header the front door stamps each request with: when it arrived (Date.now()). */
export const receivedAtHeader = 'x-simulator-received-at'

/**
 * The thread's program, run from source so that it needs no second file: a TCP proxy that writes
 * into each request, after its request line, when its first bytes arrived. It passes bytes on as
 * they come: re-parsing each request and answer as an HTTP proxy did cost this thread about a
 * millisecond of CPU per send, as much as the site's receiver spent on a webhook. Requests are
 * told apart without parsing them: no client pipelines (Node's agent and undici send the next
 * request only once the answer came), and the simulator answers only once it has read the whole
 * request, so the first bytes a client sends after any of an answer start its next request.
 */
const source = `
const net = require('node:net')
const { parentPort, workerData } = require('node:worker_threads')
const lineEnd = Buffer.from('\\r\\n')
const server = net.createServer((client) => {
  const upstream = net.connect(workerData.port, '127.0.0.1')
  client.setNoDelay(true)
  upstream.setNoDelay(true)
  let inRequest = false
  // A request line split across packets: its bytes so far, and when the first came.
  let head = null
  let arrivedAt = 0
  client.on('data', (chunk) => {
    if (inRequest) {
      upstream.write(chunk)
      return
    }
    if (!head) {
      arrivedAt = Date.now()
    }
    const bytes = head ? Buffer.concat([head, chunk]) : chunk
    const end = bytes.indexOf(lineEnd)
    if (end === -1) {
      head = bytes
      return
    }
    head = null
    inRequest = true
    upstream.write(
      Buffer.concat([
        bytes.subarray(0, end + 2),
        Buffer.from('${receivedAtHeader}: ' + arrivedAt + '\\r\\n'),
        bytes.subarray(end + 2),
      ]),
    )
  })
  upstream.on('data', (chunk) => {
    inRequest = false
    client.write(chunk)
  })
  client.on('end', () => upstream.end())
  upstream.on('end', () => client.end())
  // Either side gone (a client that gives up, the simulator closing): the other goes too.
  client.on('close', () => upstream.destroy())
  upstream.on('close', () => client.destroy())
  client.on('error', () => undefined)
  upstream.on('error', () => undefined)
})
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
