import { promises as fs } from 'node:fs'
import path from 'node:path'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// A holder that died (Ctrl-C mid-seed) leaves its lock file behind; its pid says it is gone.
const holderIsGone = async (file: string) => {
  const pid = Number(await fs.readFile(file, 'utf8').catch(() => ''))
  if (!Number.isInteger(pid) || pid <= 0) {
    // Empty: the holder is between creating the file and writing its pid, or died there.
    const stat = await fs.stat(file).catch(() => undefined)
    return Boolean(stat && Date.now() - stat.mtimeMs > 10_000)
  }
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}

/**
 * Runs `run` while holding `file`, an exclusive lock file (created with 'wx', holding the pid),
 * waiting while another holder, in this process or another, runs. Works whatever the database.
 */
export const withFileLock = async <T>(
  file: string,
  run: () => Promise<T>,
  { pollMs = 200 }: { pollMs?: number } = {},
): Promise<T> => {
  await fs.mkdir(path.dirname(file), { recursive: true })
  for (;;) {
    try {
      await fs.writeFile(file, String(process.pid), { flag: 'wx' })
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw error
      }
    }
    if (await holderIsGone(file)) {
      await fs.rm(file, { force: true })
    } else {
      await sleep(pollMs)
    }
  }
  try {
    return await run()
  } finally {
    await fs.rm(file, { force: true })
  }
}
