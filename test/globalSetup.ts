import type { TestProject } from 'vitest/node'

import { startEmbeddedServer } from '../dev/database/embeddedServer.js'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUri: string
  }
}

/**
 * DATABASE_URI (a server without a database name: postgres://user@host:port, or
 * mongodb://host:port for a real MongoDB; MONGODB_URI also works) runs the suite there, each
 * test file on a database of its own; otherwise a fresh embedded MongoDB server lives for this
 * run only.
 */
export default async function setup(project: TestProject) {
  const given = process.env.DATABASE_URI || process.env.MONGODB_URI
  if (given) {
    project.provide('databaseServerUri', given.replace(/\/+$/, ''))
    return
  }
  const server = await startEmbeddedServer()
  project.provide('databaseServerUri', server.uri)
  return () => server.stop()
}
