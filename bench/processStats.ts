import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** A process and its live descendants, from /proc (none once it is gone). */
const processTree = (pid: number): number[] => {
  let children: number[] = []
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    return []
  }
  return [pid, ...children.flatMap(processTree)]
}

const readOr = (file: string, fallback: string) => {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return fallback
  }
}

/** Resident memory of a process and its children (MB), from /proc. */
export const rssMb = (pid: number): number =>
  processTree(pid).reduce((sum, id) => {
    const line = readOr(`/proc/${id}/status`, '').match(/VmRSS:\s+(\d+)/)
    return sum + (line ? Number(line[1]) / 1024 : 0)
  }, 0)

let ticksPerSecond: number | undefined
const tickMs = () => {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim())
  return 1000 / ticksPerSecond
}

/** CPU time (ms, user + system) a process and its live children have used so far, from /proc. */
export const cpuMs = (pid: number): number =>
  processTree(pid).reduce((sum, id) => {
    // Fields after the command's closing parenthesis: utime is the 12th, stime the 13th.
    const fields = readOr(`/proc/${id}/stat`, ')').split(')').at(-1)!.trim().split(' ')
    return sum + (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * tickMs()
  }, 0)

/** The machine's CPU time so far (ms, summed over cores): busy, and in all. */
export const machineCpuMs = () => {
  // cpu user nice system idle iowait irq softirq steal ...
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/)
  const ticks = values.slice(0, 8).map(Number)
  const all = ticks.reduce((a, b) => a + b, 0)
  const idle = ticks[3] + ticks[4]
  return { busy: (all - idle) * tickMs(), total: all * tickMs() }
}

/** The machine's busy CPU time since `start` (ms, summed over cores), and its share of all. */
export const machineCpuSince = (start: ReturnType<typeof machineCpuMs>) => {
  const now = machineCpuMs()
  const busyMs = now.busy - start.busy
  return { busyMs, busyShare: busyMs / (now.total - start.total) }
}
