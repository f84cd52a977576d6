/**
 * The dev app as production runs it, for the benches: its `next start` build (dev/.next-bench)
 * and worker processes, each in a process group of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import path from 'node:path'
import { getPayload } from 'payload'

import { createConfig } from '../dev/createConfig.js'
import { isPostgresUri } from '../dev/database/adapter.js'
import { demoAudiences } from '../dev/demoAudiences.js'
import { devUser } from '../dev/seed.js'
import { stopCampaignQueue } from '../src/index.js'
import { webhookPath } from '../src/webhooks/endpoints.js'
import { abandonPool, startBenchDatabase } from './database.js'

const buildDir = '.next-bench'

/** Resolves once the process has exited (at once if it has). */
export const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode === null && child.signalCode === null
      ? child.once('exit', () => resolve())
      : resolve(),
  )

/** The newest modification time of the sources a build of the dev app holds. */
const newestSource = (dir: string): number =>
  readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') {
      return newest
    }
    const at = path.join(dir, entry.name)
    return Math.max(newest, entry.isDirectory() ? newestSource(at) : statSync(at).mtimeMs)
  }, 0)

/** The webhook of the dev app's site or receiver on `port` (the REST route's default `/api`). */
export const webhookUrl = (port: number) => `http://127.0.0.1:${port}/api${webhookPath}`

/** Resolves once `url` answers HTTP at all (a process started and listening). */
export const answering = async (url: string) => {
  for (const deadline = Date.now() + 180_000; Date.now() < deadline;) {
    if (
      await fetch(url).then(
        () => true,
        () => false,
      )
    ) {
      return
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`${url} did not answer within 180 s`)
}

/**
 * The dev user's token from the site's REST API at `base`, once it answers (its first request
 * also boots Payload, and with it the campaign queue).
 */
export const siteToken = async (base: string): Promise<string> => {
  for (const deadline = Date.now() + 180_000; Date.now() < deadline;) {
    const login = await fetch(`${base}/users/login`, {
      body: JSON.stringify(devUser),
      headers: { 'content-type': 'application/json' },
      method: 'POST',
    }).catch(() => undefined)
    if (login?.ok) {
      return ((await login.json()) as { token: string }).token
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error('next start did not answer within 180 s')
}

/** `next build` of the dev app into .next-bench, again whenever src/ or dev/ changed since. */
export const ensureBuild = async () => {
  const built = `dev/${buildDir}/BUILD_ID`
  if (
    existsSync(built) &&
    statSync(built).mtimeMs > Math.max(newestSource('src'), newestSource('dev'))
  ) {
    return
  }
  process.stderr.write('building the dev app for `next start`...\n')
  // The package script builds into buildDir (npm test runs it too, so a dev app that cannot be
  // built fails CI). Its output goes to stderr, away from the figures.
  const build = spawn('npm', ['run', '--silent', 'build:dev'], { stdio: ['ignore', 2, 'inherit'] })
  await exited(build)
  if (build.exitCode !== 0) {
    throw new Error(`next build exited with ${build.exitCode}`)
  }
}

/**
 * The dev app's build, a fresh database, and this process's Payload on it (under `key`), which
 * makes the schema and the data for the site and then only reads: it works no jobs and applies
 * no webhooks. `close` ends it and drops the database.
 */
export const siteDatabase = async (key: string) => {
  await ensureBuild()
  const database = await startBenchDatabase()
  if (isPostgresUri(database.uri)) {
    process.env.PAYLOAD_FORCE_DRIZZLE_PUSH = 'true'
  }
  const payload = await getPayload({
    config: createConfig({
      databaseUri: database.uri,
      pluginOptions: {
        audiences: demoAudiences,
        queue: { worker: false },
        webhookApplier: { enabled: false },
      },
    }),
    key,
  })
  const close = async () => {
    await stopCampaignQueue(payload)
    await payload.destroy()
    abandonPool(payload)
    await database.stop()
  }
  return { close, database, payload }
}

/**
 * BENCH_SITE_PROFILE=<dir>: CPU profiles of the site's processes and of the simulated Meta, one
 * per thread, written when they stop.
 */
export const profileFlags = () => {
  const profile = process.env.BENCH_SITE_PROFILE
  return profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []
}

/**
 * `next start` of that build on `port`, run with Next's own bin under this Node so that
 * BENCH_SITE_PROFILE can profile it; BENCH_SITE_LOGS shows its log.
 */
export const spawnSite = (port: number, env: Record<string, string>) =>
  spawn(
    process.execPath,
    [...profileFlags(), 'node_modules/next/dist/bin/next', 'start', 'dev', '--port', String(port)],
    {
      detached: true,
      env: { ...process.env, NEXT_DIST_DIR: buildDir, PORT: String(port), ...env },
      stdio: ['ignore', process.env.BENCH_SITE_LOGS ? 'inherit' : 'ignore', 'inherit'],
    },
  )

/** The dev app's worker (dev/worker.ts, README "Workers"), profiled as the site is. */
export const spawnWorker = (env: Record<string, string>) =>
  spawn(process.execPath, [...profileFlags(), '--import', 'tsx', 'dev/worker.ts'], {
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  })

/** SIGTERM to the process's group; resolves once the process has exited. */
export const stopGroup = async (child: ChildProcess) => {
  if (child.pid && child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid, 'SIGTERM')
    await exited(child)
  }
}
