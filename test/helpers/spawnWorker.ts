import { type ChildProcess, fork } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const dirname = path.dirname(fileURLToPath(import.meta.url))

/**
 * A campaign worker (and webhook applier) in a child process, ready once it resolves; with
 * `webhookPort`, it also receives webhooks there (booted, maybe not yet listening), and only
 * those with `jobs: false`. With `asSite`, a web server that also works jobs instead
 * (workerProcess.ts), whose signals the plugin handles, or with `otherExitAfterMs` a handler of
 * its own that exits with code 7 that long after a SIGTERM.
 */
export const startWorker = (args: {
  applier?: { batchSize: number; leaseMs: number }
  asSite?: { otherExitAfterMs?: number }
  claimLeaseMs: number
  databaseUri: string
  graphUrl: string
  jobs?: boolean
  lockLifetimeMs?: number
  webhookPort?: number
}): Promise<ChildProcess> =>
  new Promise<ChildProcess>((resolve, reject) => {
    const child = fork(path.join(dirname, 'workerProcess.ts'), {
      env: {
        ...process.env,
        ...(args.applier
          ? {
              WORKER_APPLIER_BATCH: String(args.applier.batchSize),
              WORKER_APPLIER_LEASE_MS: String(args.applier.leaseMs),
            }
          : {}),
        ...(args.asSite ? { WORKER_AS_SITE: 'true' } : {}),
        ...(args.asSite?.otherExitAfterMs
          ? { WORKER_OTHER_EXIT_AFTER_MS: String(args.asSite.otherExitAfterMs) }
          : {}),
        WORKER_CLAIM_LEASE_MS: String(args.claimLeaseMs),
        ...(args.lockLifetimeMs ? { WORKER_LOCK_LIFETIME_MS: String(args.lockLifetimeMs) } : {}),
        WORKER_DATABASE_URI: args.databaseUri,
        WORKER_GRAPH_URL: args.graphUrl,
        ...(args.webhookPort ? { WORKER_WEBHOOK_PORT: String(args.webhookPort) } : {}),
        ...(args.jobs === false ? { WORKER_JOBS: 'false' } : {}),
      },
      execArgv: ['--import', 'tsx'],
      // WORKER_LOGS=1 shows the workers' logs.
      stdio: ['ignore', process.env.WORKER_LOGS ? 'inherit' : 'ignore', 'inherit', 'ipc'],
    })
    child.once('message', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} while booting`)))
  })

/** SIGKILLs a worker and waits until it is gone. */
export const killWorker = async (worker: ChildProcess | undefined) => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((resolve) => worker.once('exit', resolve))
    worker.kill('SIGKILL')
    await exited
  }
}

/** SIGTERMs a worker: its exit code, or 'still running' after 20 s. */
export const stopWorker = (worker: ChildProcess): Promise<null | number | string> => {
  const exit = new Promise<null | number>((resolve) => worker.once('exit', resolve))
  worker.kill('SIGTERM')
  return Promise.race([
    exit,
    new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 20_000)),
  ])
}
