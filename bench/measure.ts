import type { MongoClient } from 'mongodb'
import type { Payload } from 'payload'

/** Samples the process's resident memory every 50 ms; stop() returns the peak in MB. */
export const sampleRss = () => {
  let peak = process.memoryUsage().rss
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }, 50)
  return {
    stop: () => {
      clearInterval(timer)
      return Math.max(peak, process.memoryUsage().rss) / 1024 / 1024
    },
  }
}

/** CPU milliseconds (user + system) spent by this process since `start`. */
export const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start)
  return (used.user + used.system) / 1000
}

/** Counts the database commands Payload's MongoDB client sends while `count` is on. */
export const commandCounter = (payload: Payload) => {
  const client = (
    payload.db as unknown as { connection: { getClient: () => MongoClient } }
  ).connection.getClient()
  const counter = { commands: 0, on: false }
  client.on('commandStarted', () => {
    if (counter.on) {
      counter.commands++
    }
  })
  return counter
}

export const percentile = (values: number[], p: number) => {
  if (values.length === 0) {
    return 0
  }
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}
