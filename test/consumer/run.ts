/**
 * npm run test:consumer: the plugin as a site gets it. Packs it with `npm pack`, installs the
 * tarball into the minimal Payload site in ./site (copied to a temporary folder, with the route
 * files Payload generates for every site taken from the dev app), and on the embedded MongoDB
 * and on Postgres: generates the import map, migrates (Postgres), `next build`, `next start`,
 * then runs a campaign through REST against the Cloud API simulator.
 */
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

import { freePorts } from '../../dev/database/embeddedServer.js'
import { onPostgresServer } from '../../dev/database/postgresServer.js'
import { runCampaignThroughSite } from './campaignFlow.js'
import { run, start, type Started, waitFor } from './processes.js'

const pluginRoot = fileURLToPath(new URL('../..', import.meta.url))
const logs = path.join(pluginRoot, 'test-results', 'consumer')
const postgresServer = process.env.CONSUMER_POSTGRES_URI ?? 'postgres://postgres@127.0.0.1:5432'
const importMapFile = 'app/(payload)/admin/importMap.js'
const bin = (name: string) => path.join(pluginRoot, 'node_modules', '.bin', name)

const results: { error?: string; name: string }[] = []
const check = async (name: string, body: () => Promise<string>) => {
  const began = Date.now()
  try {
    const detail = await body()
    results.push({ name })
    process.stdout.write(`✓ ${name} (${Math.round((Date.now() - began) / 1000)} s) ${detail}\n`)
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    results.push({ name, error: message })
    process.stdout.write(`✗ ${name}\n${message}\n`)
  }
}

rmSync(logs, { force: true, recursive: true })
mkdirSync(logs, { recursive: true })
const work = mkdtempSync(path.join(tmpdir(), 'whatsapp-consumer-'))
const site = path.join(work, 'site')
const stops: Started[] = []

const packAndInstall = async () => {
  const log = path.join(logs, 'install.log')
  // prepack builds dist/; the tarball holds what `npm publish` would.
  await run('npm', ['pack', '--pack-destination', work], { cwd: pluginRoot, log })
  const version = JSON.parse(readFileSync(path.join(pluginRoot, 'package.json'), 'utf8')).version
  const tarball = path.join(work, `payload-plugin-whatsapp-campaigns-${version}.tgz`)
  cpSync(path.join(pluginRoot, 'test', 'consumer', 'site'), site, { recursive: true })
  // Payload's generated route files, the same in every site: the dev app's, with an empty
  // import map for `payload generate:importmap` to fill.
  cpSync(path.join(pluginRoot, 'dev', 'app'), path.join(site, 'app'), { recursive: true })
  writeFileSync(path.join(site, importMapFile), 'export const importMap = {}\n')
  await run('npm', ['install', '--no-audit', '--no-fund', tarball], { cwd: site, log })
  // What a site's plain Node (its workers, the payload CLI) imports, and Next.js resolves.
  const probe =
    "const m = await import('payload-plugin-whatsapp-campaigns'); for (const e of ['/client', '/rsc']) import.meta.resolve('payload-plugin-whatsapp-campaigns' + e); if (typeof m.whatsappCampaignsPlugin !== 'function' || typeof m.runWorker !== 'function' || typeof m.startWebhookReceiver !== 'function') throw new Error('exports missing: ' + Object.keys(m))"
  await run('node', ['--input-type=module', '-e', probe], { cwd: site, log })
  return path.basename(tarball)
}

/**
 * The site built and served for production on one database, and a campaign run through it;
 * sent by `next start` itself, or by a separate worker (`payload run worker.ts`) while the web
 * server only enqueues.
 */
const siteOnDatabase = async (
  database: 'mongodb' | 'postgres',
  databaseUri: string,
  worker: 'next start' | 'separate',
) => {
  const log = path.join(logs, `${database}.log`)
  const [sitePort, simulatorPort, receiverPort] = await freePorts(3)
  const siteUrl = `http://127.0.0.1:${sitePort}`
  const env = {
    DATABASE_URI: databaseUri,
    NEXT_TELEMETRY_DISABLED: '1',
    PAYLOAD_SECRET: 'consumer-site-secret',
    WHATSAPP_CAMPAIGNS_ENCRYPTION_KEY: 'consumer-site-encryption-key',
    WHATSAPP_GRAPH_API_URL: `http://127.0.0.1:${simulatorPort}`,
  }
  const options = { cwd: site, env, log }

  await run('npx', ['payload', 'generate:importmap'], options)
  const importMap = readFileSync(path.join(site, importMapFile), 'utf8')
  if (!importMap.includes("from 'payload-plugin-whatsapp-campaigns/client'")) {
    throw new Error('payload generate:importmap left out the plugin components')
  }
  if (database === 'postgres') {
    // Production does not push the schema: the plugin's tables come from a migration.
    rmSync(path.join(site, 'migrations'), { force: true, recursive: true })
    await run('npx', ['payload', 'migrate:create', 'initial'], options)
    await run('npx', ['payload', 'migrate'], {
      ...options,
      env: { ...env, NODE_ENV: 'production' },
    })
  }
  await run('npx', ['next', 'build'], options)
  // The plugin's stylesheet, imported by its built client components, made it into the build.
  const staticFiles = path.join(site, '.next', 'static')
  const stylesheets = readdirSync(staticFiles, { recursive: true })
    .map(String)
    .filter((file) => file.endsWith('.css'))
  if (
    !stylesheets.some((file) =>
      readFileSync(path.join(staticFiles, file), 'utf8').includes('.wa-panel'),
    )
  ) {
    throw new Error('next build produced no stylesheet with the plugin styles (.wa-panel)')
  }

  const simulator = start(bin('tsx'), ['dev/simulator/cli.ts'], {
    cwd: pluginRoot,
    env: {
      SIMULATOR_LATENCY_MS: '20',
      SIMULATOR_PORT: String(simulatorPort),
      // With a separate worker, Meta's webhooks go to its standalone receiver.
      SIMULATOR_WEBHOOK_URL:
        worker === 'separate'
          ? `http://127.0.0.1:${receiverPort}/api/whatsapp/webhook`
          : `${siteUrl}/api/whatsapp/webhook`,
    },
    log: path.join(logs, `${database}-simulator.log`),
  })
  stops.push(simulator)
  const server = start('npx', ['next', 'start', '-H', '127.0.0.1', '-p', String(sitePort)], {
    ...options,
    env: {
      ...env,
      // README "Workers": signals left to the plugin, which stops the campaigns and exits.
      NEXT_MANUAL_SIG_HANDLE: 'true',
      WHATSAPP_CAMPAIGNS_WORKER: String(worker === 'next start'),
    },
  })
  stops.push(server)
  const workerProcess =
    worker === 'separate'
      ? start('npx', ['payload', 'run', 'worker.ts'], {
          cwd: site,
          env: { ...env, NODE_ENV: 'production', WHATSAPP_WEBHOOK_PORT: String(receiverPort) },
          log: path.join(logs, `${database}-worker.log`),
        })
      : undefined
  if (workerProcess) {
    stops.push(workerProcess)
  }
  try {
    await waitFor(
      'next start to answer',
      async () => ((await fetch(`${siteUrl}/api/users/me`)).ok ? true : undefined),
      120_000,
    )
    const result = await runCampaignThroughSite(siteUrl)
    // SIGTERM stops the web server's campaign work gracefully too (README "Workers").
    await server.stop()
    await waitFor(
      'next start to log its graceful stop',
      () => Promise.resolve(server.output().includes('whatsapp-campaigns stopped') || undefined),
      5000,
    )
    if (workerProcess) {
      // SIGTERM stops it gracefully (README "Workers"), not the SIGKILL 10 s later.
      await workerProcess.stop()
      await waitFor(
        'the worker to log its graceful stop',
        () =>
          Promise.resolve(
            workerProcess.output().includes('whatsapp-campaigns worker stopped') || undefined,
          ),
        5000,
      )
    }
    return JSON.stringify(result)
  } finally {
    await Promise.all([server.stop(), workerProcess?.stop()])
    await simulator.stop()
  }
}

try {
  let installed = false
  await check('npm pack, npm install of the tarball, import from plain Node', async () => {
    const tarball = await packAndInstall()
    installed = true
    return tarball
  })
  if (installed) {
    await check(
      'site on the embedded MongoDB: import map, next build, next start sending a campaign',
      async () => {
        const embedded = start(bin('tsx'), ['dev/database/cli.ts'], {
          cwd: pluginRoot,
          env: { PORT: '0' },
          log: path.join(logs, 'mongodb-server.log'),
        })
        stops.push(embedded)
        try {
          const uri = await waitFor(
            'the embedded database to print its URI',
            () => Promise.resolve(/mongodb:\/\/\S+/.exec(embedded.output())?.[0]),
            60_000,
          )
          // Polled monitoring: the embedded server cannot answer the driver's streaming hellos.
          const databaseUri = `${uri.replace(/\/$/, '')}/consumer?serverMonitoringMode=poll`
          return await siteOnDatabase('mongodb', databaseUri, 'next start')
        } finally {
          await embedded.stop()
        }
      },
    )
    const database = `whatsapp_consumer_${process.pid}`
    await check(
      'site on Postgres: import map, migrations, next build, next start and a separate worker sending a campaign, its webhooks to the standalone receiver',
      async () => {
        try {
          return await siteOnDatabase('postgres', `${postgresServer}/${database}`, 'separate')
        } finally {
          await onPostgresServer(postgresServer, (client) =>
            client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`),
          )
        }
      },
    )
  }
} finally {
  await Promise.all(stops.map((started) => started.stop()))
  rmSync(work, { force: true, recursive: true })
}

const failed = results.filter((result) => result.error).length
process.stdout.write(`\n${results.length - failed} passed, ${failed} failed (logs in ${logs})\n`)
process.exitCode = failed > 0 || results.length < 3 ? 1 : 0
