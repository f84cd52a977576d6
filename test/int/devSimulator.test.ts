import { type ChildProcess, fork } from 'node:child_process'
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'

import { freePort } from '../../dev/database/embeddedServer.js'
import { simulatorOwnerHeader } from '../../dev/simulator/index.js'

const dirname = path.dirname(fileURLToPath(import.meta.url))
const processes: ChildProcess[] = []
afterAll(() => processes.forEach((child) => child.kill('SIGKILL')))

/** A dev process (npm run dev, npm run worker) starting this checkout's simulator on `port`. */
const devProcess = (port: number) =>
  new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    const child = fork(path.join(dirname, '../helpers/devSimulatorProcess.ts'), {
      env: { ...process.env, SIMULATOR_PORT: String(port) },
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    processes.push(child)
    child.once('message', (message: { url: string }) => resolve({ child, url: message.url }))
    child.once('exit', (code) => reject(new Error(`dev process exited with ${code}`)))
  })

/** Whose simulator answers at `url` (its owner header), or the error when none does. */
const ownerAt = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(3000) }).then(
    (response) => response.headers.get(simulatorOwnerHeader),
    (error: Error) => error,
  )

describe("the dev app's simulator", () => {
  it('answers from a process of its own, shared by the checkout, gone with the process that started it', async () => {
    const port = await freePort()
    const checkout = await fs.realpath(process.cwd())
    const first = await devProcess(port)
    expect(first.url).toBe(`http://127.0.0.1:${port}`)
    expect(await ownerAt(first.url)).toBe(checkout)

    // Meta answers while the app is stalled: the simulator is not in the app's thread.
    first.child.kill('SIGSTOP')
    try {
      expect(await ownerAt(first.url)).toBe(checkout)
    } finally {
      first.child.kill('SIGCONT')
    }

    // A second process of the checkout (npm run worker) shares it.
    const second = await devProcess(port)
    expect(second.url).toBe(first.url)
    expect(await ownerAt(first.url)).toBe(checkout)

    // The process that started it ends, however it ends: the simulator goes with it.
    first.child.kill('SIGKILL')
    await expect
      .poll(async () => (await ownerAt(first.url)) instanceof Error, { timeout: 10_000 })
      .toBe(true)
  })
})
