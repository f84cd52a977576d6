import { type ChildProcess, spawn } from 'node:child_process'
import { createWriteStream, readFileSync } from 'node:fs'

export type Started = { output: () => string; process: ChildProcess; stop: () => Promise<void> }

type Options = { cwd: string; env?: Record<string, string>; log: string }

/** Starts a command in its own process group, its output appended to a log file. */
export const start = (command: string, args: string[], { cwd, env, log }: Options): Started => {
  const out = createWriteStream(log, { flags: 'a' })
  out.write(`$ ${command} ${args.join(' ')}\n`)
  const child = spawn(command, args, {
    cwd,
    detached: true,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  child.stdout.pipe(out, { end: false })
  child.stderr.pipe(out, { end: false })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  return {
    output: () => readFileSync(log, 'utf8'),
    process: child,
    // The whole group: `npx` and `next start` leave children of their own.
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        try {
          process.kill(-child.pid, 'SIGTERM')
        } catch {
          // Already gone.
        }
        const killed = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000)
        await exited
        clearTimeout(killed)
      }
    },
  }
}

/**
 * Runs a command to its end; rejects with the log's tail when it fails or outlasts timeoutMs
 * (then it is stopped: a hung build must not hold CI until its own limit).
 */
export const run = async (
  command: string,
  args: string[],
  options: Options,
  timeoutMs = 15 * 60_000,
): Promise<void> => {
  const started = start(command, args, options)
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    void started.stop()
  }, timeoutMs)
  const code = await new Promise<null | number>((resolve) =>
    started.process.once('exit', (exitCode) => resolve(exitCode)),
  )
  clearTimeout(timer)
  if (code !== 0) {
    const why = timedOut ? `did not finish in ${timeoutMs / 60_000} min` : `exited with ${code}`
    throw new Error(
      `${command} ${args.join(' ')} ${why}; end of ${options.log}:\n${started.output().slice(-4000)}`,
    )
  }
}

/** Polls until check returns a value, or fails with what the last attempt said. */
export const waitFor = async <T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs
  let last: Error | undefined
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined) {
        return value
      }
    } catch (error) {
      last = error instanceof Error ? error : new Error(String(error))
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}
