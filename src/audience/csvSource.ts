import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { Payload } from 'payload'

import { createReadStream, existsSync } from 'node:fs'
import path from 'node:path'
import { Readable } from 'node:stream'

import type { AudienceRow } from '../options.js'

import { CsvAudienceError, readCsvRows } from './csvRows.js'

/** Opens an uploaded CSV: from local disk, or from its URL when storage is remote (S3 etc.). */
export const openAudienceFile = async (args: {
  fileId: string
  payload: Payload
  slug: string
}): Promise<Readable> => {
  const { slug, fileId, payload } = args
  const doc = await payload.findByID({ id: fileId, collection: slug, depth: 0 }).catch(() => null)
  if (!doc || typeof doc.filename !== 'string') {
    throw new CsvAudienceError(`The campaign's CSV file (${fileId}) no longer exists.`)
  }
  const staticDir = payload.collections[slug]?.config.upload?.staticDir ?? slug
  const localPath = path.resolve(staticDir, doc.filename)
  if (existsSync(localPath)) {
    return createReadStream(localPath)
  }
  if (typeof doc.url === 'string' && /^https?:\/\//.test(doc.url)) {
    const response = await fetch(doc.url)
    if (!response.ok || !response.body) {
      throw new CsvAudienceError(`Could not download the CSV file: HTTP ${response.status}.`)
    }
    return Readable.fromWeb(response.body as WebReadableStream)
  }
  throw new CsvAudienceError(`The CSV file "${doc.filename}" is not on this server's disk.`)
}

export async function* csvSource(args: {
  fileId: string
  payload: Payload
  slug: string
}): AsyncGenerator<AudienceRow> {
  yield* readCsvRows(await openAudienceFile(args))
}
