import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { startEmbeddedServer } from './embeddedServer.js'

const dirname = path.dirname(fileURLToPath(import.meta.url))

type Holder = { embeddedUri?: Promise<string> }
// Next.js may evaluate the config more than once in one process; one server serves them all.
const holder = globalThis as typeof globalThis & { __whatsappEmbeddedDb?: Holder }

/**
 * DATABASE_URI when set (a real MongoDB in production); otherwise an embedded server whose
 * data lives in the git-ignored dev/.data folder across restarts.
 */
export const resolveDatabaseUri = async (): Promise<string> => {
  if (process.env.DATABASE_URI) {
    return process.env.DATABASE_URI
  }
  holder.__whatsappEmbeddedDb ??= {}
  const state = holder.__whatsappEmbeddedDb
  state.embeddedUri ??= (async () => {
    const server = await startEmbeddedServer({
      dataFile: path.resolve(dirname, '../.data/embedded-db.ejson'),
      port: Number(process.env.EMBEDDED_DB_PORT ?? 27027),
    })
    const stop = (signal: NodeJS.Signals) => {
      void server.stop().finally(() => process.kill(process.pid, signal))
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    return `${server.uri}/whatsapp-campaigns-dev`
  })()
  return state.embeddedUri
}
