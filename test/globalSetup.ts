import type { TestProject } from 'vitest/node'

import { startEmbeddedServer } from '../dev/database/embeddedServer.js'

declare module 'vitest' {
  export interface ProvidedContext {
    mongoServerUri: string
  }
}

/**
 * MONGODB_URI (a real MongoDB, without a database name) runs the suite there;
 * otherwise a fresh embedded server lives for this run only.
 */
export default async function setup(project: TestProject) {
  if (process.env.MONGODB_URI) {
    project.provide('mongoServerUri', process.env.MONGODB_URI.replace(/\/+$/, ''))
    return
  }
  const server = await startEmbeddedServer()
  project.provide('mongoServerUri', server.uri)
  return () => server.stop()
}
