import { Worker } from 'node:worker_threads'

import type { SendSlot } from './types.js'

/** A request for the thread: plain data, as it crosses threads. */
export type TimedRequest = {
  body: string
  headers: Record<string, string>
  method: 'POST'
  timeoutMs: number
  url: string
}

/** Meta's answer to a request: its status and body, as plain data (a web `Response` costs more). */
export type TimedAnswer = { body: string; status: number }

type Answer =
  | { error: { code?: string; message: string; name: string }; id: number }
  | { id: number; missed: true }
  | ({ id: number } & TimedAnswer)

/** The request was not made: its latest time passed first (see SendTemplateArgs.slot). */
export class SlotMissed extends Error {
  constructor() {
    super('The send slot passed before the request could be made')
    this.name = 'SlotMissed'
  }
}

/**
 * The thread's whole program, run from source (`eval`) so that no bundler (Next, Payload's) has
 * to find a second file. It does nothing but wait for each request's time and make it: a process
 * busy with other work (a site answering webhooks) stalls its own timers by tens of
 * milliseconds, and a send slot missed by that much is lost.
 */
const threadSource = `
const http = require('node:http')
const https = require('node:https')
const { parentPort } = require('node:worker_threads')
// Node's own client, not fetch: lighter per request, which counts at 1,000 requests a second.
// A connection idle for 4 s is closed, not reused: a server closes idle ones too (Node's after
// 5 s), and a send written as it does fails with ECONNRESET, its outcome unknown. Node 20's agent
// heeds a shorter Keep-Alive hint only when it has a timeout of its own.
const keepAlive = { keepAlive: true, timeout: 4000 }
const clients = {
  'http:': { agent: new http.Agent(keepAlive), request: http.request },
  'https:': { agent: new https.Agent(keepAlive), request: https.request },
}
const run = ({ body, headers, id, method, timeoutMs, url }) => {
  let settled = false
  const settle = (answer) => {
    if (settled) return
    settled = true
    clearTimeout(timer)
    parentPort.postMessage({ ...answer, id })
  }
  const fail = (error) =>
    settle({ error: { code: error.code, message: String(error.message), name: String(error.name) } })
  const timer = setTimeout(() => {
    settle({ error: { message: 'The operation timed out', name: 'TimeoutError' } })
    request.destroy()
  }, timeoutMs)
  const target = new URL(url)
  const client = clients[target.protocol]
  const request = client.request(
    target,
    { agent: client.agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) }, method },
    (response) => {
      const chunks = []
      response.on('data', (chunk) => chunks.push(chunk))
      response.on('end', () =>
        settle({ body: Buffer.concat(chunks).toString('utf8'), status: response.statusCode }),
      )
      response.on('error', fail)
    },
  )
  request.on('error', fail)
  request.end(body)
}
// Late past its latest time (this thread got no CPU in time), a request is not made: made late,
// it would go in one burst with the next ones, over the number's rate.
const go = (request) => {
  if (Date.now() > request.latest) parentPort.postMessage({ id: request.id, missed: true })
  else run(request)
}
parentPort.on('message', (request) => {
  const delay = request.at - Date.now()
  if (delay > 0) setTimeout(() => go(request), delay)
  else go(request)
})
`

type Pending = { reject: (error: Error) => void; resolve: (answer: TimedAnswer) => void }

let thread: { online: Promise<void>; pending: Map<number, Pending>; worker: Worker } | undefined
let nextId = 0

const failure = (name: string, message: string, code?: string) =>
  Object.assign(new Error(message), { name, ...(code ? { cause: { code } } : {}) })

const start = () => {
  const worker = new Worker(threadSource, { eval: true })
  // Never what keeps a process alive: answers still arrive while anything else does.
  worker.unref()
  const pending = new Map<number, Pending>()
  worker.on('message', (answer: Answer) => {
    const waiting = pending.get(answer.id)
    pending.delete(answer.id)
    if ('missed' in answer) {
      waiting?.reject(new SlotMissed())
    } else if ('error' in answer) {
      waiting?.reject(failure(answer.error.name, answer.error.message, answer.error.code))
    } else {
      waiting?.resolve({ body: answer.body, status: answer.status })
    }
  })
  const lost = (error: Error) => {
    if (thread?.worker === worker) {
      thread = undefined
    }
    // The requests may have been made: their outcome is unknown (no code marks them unsent).
    for (const waiting of pending.values()) {
      waiting.reject(failure('Error', `The send thread stopped: ${error.message}`))
    }
    pending.clear()
  }
  worker.on('error', lost)
  worker.on('exit', (code) => lost(new Error(`exit code ${code}`)))
  const online = new Promise<void>((resolve) => worker.once('online', resolve))
  return { online, pending, worker }
}

/** Starts the thread if it is not running; resolves once it runs (before a campaign's first send). */
export const sendThreadReady = async (): Promise<void> => {
  thread ??= start()
  await thread.online
}

/**
 * Makes `request` at `slot.at` (a Date.now() time, or at once if that has passed) from a thread
 * of its own, shared by the process; fails like fetch (a TimeoutError after `timeoutMs`), or
 * rejects with SlotMissed without making it if `slot.latest` has passed.
 */
export const fetchAt = ({ at, latest }: SendSlot, request: TimedRequest): Promise<TimedAnswer> => {
  thread ??= start()
  const { pending, worker } = thread
  const id = nextId++
  return new Promise<TimedAnswer>((resolve, reject) => {
    pending.set(id, { reject, resolve })
    worker.postMessage({ ...request, id, at, latest })
  })
}
