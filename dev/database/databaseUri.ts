import path from 'node:path'

import { isNextHelperProcess } from '../../src/nextHelperProcess.js'
import { startEmbeddedServer } from './embeddedServer.js'

type Holder = { embeddedUri?: Promise<string> }
// Next.js may evaluate the config more than once in one process; one server serves them all.
const holder = globalThis as { __whatsappEmbeddedDb?: Holder } & typeof globalThis

/**
 * DATABASE_URI when set (a real MongoDB in production); otherwise an embedded server whose
 * data lives in the git-ignored .data folder across restarts.
 */
export const resolveDatabaseUri = async (): Promise<string> => {
  if (process.env.DATABASE_URI) {
    return process.env.DATABASE_URI
  }
  holder.__whatsappEmbeddedDb ??= {}
  const state = holder.__whatsappEmbeddedDb
  state.embeddedUri ??= (async () => {
    const port = Number(process.env.EMBEDDED_DB_PORT ?? 27027)
    const database = 'whatsapp-campaigns-dev'
    // A server started in a Next.js helper process would vanish with it.
    const server = isNextHelperProcess()
      ? undefined
      : await startEmbeddedServer({
          dataFile: path.resolve(process.cwd(), '.data/embedded-db.ejson'),
          port,
        }).catch((error: NodeJS.ErrnoException) => {
          // `npm run worker` beside `npm run dev`: the dev app's server already holds the port.
          if (error.code === 'EADDRINUSE') {
            return undefined
          }
          throw error
        })
    if (!server) {
      return `mongodb://127.0.0.1:${port}/${database}`
    }
    const stop = (signal: NodeJS.Signals) => {
      void server.stop().finally(() => process.kill(process.pid, signal))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return `${server.uri}/${database}`
  })()
  return state.embeddedUri
}
