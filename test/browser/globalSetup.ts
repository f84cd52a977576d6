import type { TestProject } from 'vitest/node'

import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'

import { isPostgresUri } from '../../dev/database/adapter.js'
import { freePorts, startEmbeddedServer } from '../../dev/database/embeddedServer.js'
import { dropPostgresDatabase } from '../helpers/testDatabase.js'

declare module 'vitest' {
  export interface ProvidedContext {
    appUrl: string
  }
}

const waitForApp = async (url: string, app: ChildProcess, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (app.exitCode !== null) {
      throw new Error(`The dev app exited with code ${app.exitCode}; see test-results/dev-app.log`)
    }
    const ok = await fetch(`${url}/admin/login`)
      .then((response) => response.ok)
      .catch(() => false)
    if (ok) {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
  throw new Error(`The dev app did not answer within ${timeoutMs / 1000}s`)
}

/**
 * The dev app (`next dev`) on free ports, on a fresh database of the embedded server (or of the
 * server DATABASE_URI or MONGODB_URI names, as for the integration tests), with its own Cloud API
 * simulator; BROWSER_APP_URL uses an app already running.
 */
export default async function setup(project: TestProject) {
  if (process.env.BROWSER_APP_URL) {
    project.provide('appUrl', process.env.BROWSER_APP_URL)
    return
  }
  const given = process.env.DATABASE_URI || process.env.MONGODB_URI
  const embedded = given ? undefined : await startEmbeddedServer()
  const serverUri = given?.replace(/\/+$/, '') ?? embedded?.uri
  // Payload's Postgres adapter creates the database; MongoDB does on first write.
  const databaseUri = `${serverUri}/browser_${Date.now()}`
  const [port, simulatorPort] = await freePorts(2)
  mkdirSync('test-results', { recursive: true })
  const log = createWriteStream('test-results/dev-app.log')
  const app = spawn('npx', ['next', 'dev', 'dev', '--port', String(port)], {
    detached: true,
    env: {
      ...process.env,
      DATABASE_URI: databaseUri,
      NEXT_DIST_DIR: '.next-browser-test',
      NODE_OPTIONS: '--no-deprecation',
      PORT: String(port),
      SIMULATOR_PORT: String(simulatorPort),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  app.stdout?.pipe(log)
  app.stderr?.pipe(log)
  // localhost: Next.js refuses its dev resources to other hosts.
  const url = `http://localhost:${port}`
  const stop = async () => {
    if (app.pid && app.exitCode === null) {
      process.kill(-app.pid, 'SIGTERM')
      await new Promise((resolve) => app.once('exit', resolve))
    }
    await embedded?.stop()
    if (isPostgresUri(databaseUri)) {
      await dropPostgresDatabase(databaseUri)
    }
  }
  try {
    await waitForApp(url, app, 240_000)
  } catch (error) {
    await stop()
    throw error
  }
  project.provide('appUrl', url)
  return stop
}
