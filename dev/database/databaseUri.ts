import { isNextHelperProcess } from '../../src/nextHelperProcess.js'
import { checkoutDataFiles, checkoutPort, portFromEnv } from '../checkoutData.js'
import { openCheckoutDatabase } from './checkoutDatabase.js'

type Holder = { embeddedUri?: Promise<string> }
// Next.js may evaluate the config more than once in one process; one server serves them all.
const holder = globalThis as { __whatsappEmbeddedDb?: Holder } & typeof globalThis

const database = 'whatsapp-campaigns-dev'

/**
 * DATABASE_URI when set (a real MongoDB in production); otherwise this checkout's embedded
 * server (see checkoutDatabase.ts), its data in the git-ignored .data folder across restarts.
 */
export const resolveDatabaseUri = async (): Promise<string> => {
  if (process.env.DATABASE_URI) {
    return process.env.DATABASE_URI
  }
  holder.__whatsappEmbeddedDb ??= {}
  const state = holder.__whatsappEmbeddedDb
  state.embeddedUri ??= (async () => {
    const checkoutDir = process.cwd()
    const fixedPort = portFromEnv('EMBEDDED_DB_PORT')
    // A server started in a Next.js helper process would vanish with it; the main process has one.
    if (isNextHelperProcess()) {
      const port = fixedPort ?? (await checkoutPort(checkoutDataFiles(checkoutDir).portFile))
      return `mongodb://127.0.0.1:${port}/${database}`
    }
    const { server, uri } = await openCheckoutDatabase({ checkoutDir, port: fixedPort })
    if (server) {
      const stop = (signal: NodeJS.Signals) => {
        void server.stop().finally(() => process.kill(process.pid, signal))
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    }
    return `${uri}/${database}`
  })()
  return state.embeddedUri
}
