import { promises as fs } from 'node:fs'
import path from 'node:path'

import { checkoutDataFiles, checkoutPort } from '../checkoutData.js'
import { type EmbeddedServer, startEmbeddedServer } from './embeddedServer.js'
import { readOwner } from './serverOwner.js'

// The owner is recorded a moment after the server listens; a process arriving in that moment waits.
const ownerOf = async (uri: string, waitMs: number): Promise<string | undefined> => {
  const deadline = Date.now() + waitMs
  for (;;) {
    const owner = await readOwner(uri)
    if (owner || Date.now() >= deadline) {
      return owner
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

export type CheckoutDatabase = {
  /** Set when this process started the server (and must stop it); absent when it shares it. */
  server?: EmbeddedServer
  /** mongodb:// URI of the server, without a database name. */
  uri: string
}

/**
 * The checkout's own embedded server: started on its recorded port (or `port`), or, when a
 * process of the same checkout already serves it there (`npm run worker` beside `npm run dev`),
 * shared. Anything else on that port is refused, never joined: another checkout's data must not
 * mix with this one's.
 */
export const openCheckoutDatabase = async ({
  checkoutDir,
  ownerWaitMs = 10_000,
  port: fixedPort,
}: {
  checkoutDir: string
  /** How long a server with no owner recorded yet is given to record one. */
  ownerWaitMs?: number
  /** A port to use instead of the recorded one (EMBEDDED_DB_PORT). */
  port?: number
}): Promise<CheckoutDatabase> => {
  const { dataFile, portFile } = checkoutDataFiles(checkoutDir)
  // The folder's real path names the checkout: a copy elsewhere is another checkout.
  await fs.mkdir(path.dirname(dataFile), { recursive: true })
  const owner = await fs.realpath(checkoutDir)
  const port = fixedPort ?? (await checkoutPort(portFile))
  try {
    const server = await startEmbeddedServer({ dataFile, owner, port })
    return { server, uri: server.uri }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') {
      throw error
    }
  }
  const uri = `mongodb://127.0.0.1:${port}`
  const refuse = (holder: string) =>
    new Error(
      `Port ${port} (${fixedPort ? 'EMBEDDED_DB_PORT' : `recorded in ${portFile}`}) is held by ${holder}, not by the embedded database of this checkout (${owner}), so it is not used. ` +
        `Stop that process, or ${fixedPort ? 'set another EMBEDDED_DB_PORT' : `delete ${portFile} to have a new free port picked`}.`,
    )
  const found = await ownerOf(uri, ownerWaitMs).catch((error: Error) => {
    throw refuse(`a process that does not answer as a MongoDB server (${error.message})`)
  })
  if (found === owner) {
    return { uri }
  }
  throw refuse(
    found
      ? `the embedded database of another checkout (${found})`
      : 'a MongoDB server with no checkout recorded',
  )
}
