import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'

export type BenchDatabase = { label: string; stop: () => Promise<void>; uri: string }

/**
 * MONGODB_URI when given; otherwise the embedded server in a child process, so that the
 * engine's CPU time is measured apart from the database's.
 */
export const startBenchDatabase = async (): Promise<BenchDatabase> => {
  if (process.env.MONGODB_URI) {
    return {
      label: 'MongoDB (MONGODB_URI)',
      stop: () => Promise.resolve(),
      uri: process.env.MONGODB_URI.replace(/\/+$/, ''),
    }
  }
  // Node itself (not npx), so that stopping it stops the server.
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/database/cli.ts'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const [uri] = (await once(createInterface({ input: child.stdout }), 'line')) as [string]
  return {
    label: 'embedded CongoDB in a child process (scans whole collections; no indexes used)',
    stop: async () => {
      child.kill('SIGTERM')
      if (child.exitCode === null) {
        await once(child, 'exit')
      }
    },
    uri,
  }
}
