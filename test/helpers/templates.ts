import type { Payload } from 'payload'

import { demoTemplates } from '../../dev/simulator/index.js'
import { templateDocument } from '../../src/meta/templateDocument.js'

/** Stores the simulator's demo templates for an account; returns their ids by name. */
export const createDemoTemplates = async (payload: Payload, accountId: number | string) => {
  const ids: Record<string, number | string> = {}
  for (const template of demoTemplates) {
    const doc = await payload.create({
      collection: 'whatsapp-templates',
      data: templateDocument(template, accountId),
    })
    ids[template.name] = doc.id
  }
  return ids
}

export const uploadCsv = async (payload: Payload, name: string, content: Buffer | string) => {
  const data = Buffer.isBuffer(content) ? content : Buffer.from(content)
  return payload.create({
    collection: 'whatsapp-audience-files',
    data: {},
    file: { name, data, mimetype: 'text/csv', size: data.length },
  })
}
