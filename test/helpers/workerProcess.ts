/**
 * A campaign worker (and webhook applier) in a process of its own, for tests that kill workers:
 * WORKER_DATABASE_URI, WORKER_GRAPH_URL, WORKER_CLAIM_LEASE_MS, WORKER_LOCK_LIFETIME_MS (how long
 * it leaves another's job locked after its last renewal; 3 s by default) and the applier's
 * WORKER_APPLIER_BATCH and WORKER_APPLIER_LEASE_MS come from the environment; with
 * WORKER_WEBHOOK_PORT it also receives webhooks on that port, and only those with
 * WORKER_JOBS=false. With WORKER_AS_SITE it is a web server instead (as `next start` is): it
 * serves Payload's REST API and leaves signals to the plugin, or, with
 * WORKER_OTHER_EXIT_AFTER_MS, to a handler of its own that exits (code 7) that long after one, as
 * Next.js's does once its server has closed.
 */
import { getPayload } from 'payload'

import { createConfig } from '../../dev/createConfig.js'
import { runWorker } from '../../src/index.js'
import { startRestServer } from './restServer.js'

const config = createConfig({
  databaseUri: String(process.env.WORKER_DATABASE_URI),
  pluginOptions: {
    claimLeaseMs: Number(process.env.WORKER_CLAIM_LEASE_MS ?? 3000),
    graphApiUrl: String(process.env.WORKER_GRAPH_URL),
    queue: {
      lockLifetimeMs: Number(process.env.WORKER_LOCK_LIFETIME_MS ?? 3000),
      processEveryMs: 200,
      worker: process.env.WORKER_JOBS !== 'false',
    },
    webhookApplier: {
      batchSize: Number(process.env.WORKER_APPLIER_BATCH ?? 1000),
      leaseMs: Number(process.env.WORKER_APPLIER_LEASE_MS ?? 10_000),
    },
  },
})
process.on('unhandledRejection', (error) => {
  process.stderr.write(
    `worker: unhandled rejection: ${error instanceof Error ? error.stack : String(error)}\n`,
  )
  process.exit(1)
})
const payload = await getPayload({ config, key: 'worker' })
if (process.env.WORKER_AS_SITE) {
  await startRestServer(config, 'worker')
  const otherExitMs = process.env.WORKER_OTHER_EXIT_AFTER_MS
  if (otherExitMs) {
    process.once('SIGTERM', () => setTimeout(() => process.exit(7), Number(otherExitMs)))
  }
  process.send?.('ready')
} else {
  process.send?.('ready')
  const webhookPort = process.env.WORKER_WEBHOOK_PORT
  await runWorker(
    payload,
    webhookPort ? { webhooks: { host: '127.0.0.1', port: Number(webhookPort) } } : {},
  )
}
