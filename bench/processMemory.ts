import { readFileSync } from 'node:fs'

/** Resident memory of a process and its children (MB), from /proc. */
export const rssMb = (pid: number): number => {
  const rss = (id: number) => {
    try {
      const line = readFileSync(`/proc/${id}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)
      return line ? Number(line[1]) / 1024 : 0
    } catch {
      return 0
    }
  }
  let children: number[] = []
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number)
  } catch {
    // Gone.
  }
  return rss(pid) + children.reduce((sum, child) => sum + rssMb(child), 0)
}
