/**
 * The embedded MongoDB-compatible server as a process of its own (npm run embedded-db):
 * prints its URI, serves until SIGINT or SIGTERM. PORT picks the port (default: any free one).
 */
import { startEmbeddedServer } from './embeddedServer.js'

const server = await startEmbeddedServer({ port: Number(process.env.PORT ?? 0) })
process.stdout.write(`${server.uri}\n`)
const stop = () => void server.stop().finally(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
