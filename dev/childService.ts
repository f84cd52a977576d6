import { type ChildProcess, fork } from 'node:child_process'

/** What a service process sends once: ready (with what the parent needs), or why it could not start. */
type StartMessage<Ready> = { error: { code?: string; message: string } } | { ready: Ready }

const inputVariable = 'WHATSAPP_DEV_SERVICE_INPUT'

/**
 * Runs `entry` (a TypeScript file of this checkout, relative to the working directory, run with
 * tsx) in a Node process of its own, handing it `input`; resolves with what it reports once
 * ready, or rejects with its error (its `code` kept, e.g. EADDRINUSE). The dev app's stand-ins
 * for the outside world (Meta) run there: in the app's own process they shared its one busy
 * thread, which real ones never do. The process ends when this one does, however it ends (see
 * serveChildService).
 */
export const startChildService = <Input, Ready>(
  entry: string,
  input: Input,
): Promise<{ child: ChildProcess; ready: Ready }> => {
  // An inspector flag (next dev --inspect) would make the child fight for the same port.
  const nodeOptions = (process.env.NODE_OPTIONS ?? '')
    .split(/\s+/)
    .filter((option) => option && !option.startsWith('--inspect'))
    .join(' ')
  // Relative to the working directory, as given: a path built here (path.resolve) is one that
  // Turbopack's production build tries to bundle, and fails on.
  const child = fork(entry, [], {
    env: { ...process.env, [inputVariable]: JSON.stringify(input), NODE_OPTIONS: nodeOptions },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  return new Promise((resolve, reject) => {
    const exited = (code: null | number, signal: NodeJS.Signals | null) =>
      reject(new Error(`${entry} exited before it was ready (code ${code}, signal ${signal})`))
    child.once('exit', exited)
    child.once('error', reject)
    child.once('message', (message: StartMessage<Ready>) => {
      child.off('exit', exited)
      if ('ready' in message) {
        // Never what keeps this process alive.
        child.unref()
        child.channel?.unref()
        resolve({ child, ready: message.ready })
      } else {
        reject(Object.assign(new Error(message.error.message), { code: message.error.code }))
      }
    })
  })
}

/**
 * The service side of startChildService: starts with the parent's input, reports ready or its
 * error, and exits when the parent goes (its IPC channel closes, even on SIGKILL).
 */
export const serveChildService = async <Input, Ready>(
  start: (input: Input) => Promise<{ close: () => Promise<void>; ready: Ready }>,
): Promise<void> => {
  const send = (message: StartMessage<Ready>) => process.send?.(message)
  try {
    const input = JSON.parse(process.env[inputVariable] ?? 'null') as Input
    const { close, ready } = await start(input)
    const stop = () => void close().finally(() => process.exit(0))
    process.once('disconnect', stop)
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    send({ ready })
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException
    send({ error: { code, message } })
    process.exit(1)
  }
}
