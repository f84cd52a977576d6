import type { Payload } from 'payload'

import { getPayload } from 'payload'

import type { NamedAudience } from '../src/index.js'

import { createConfig } from '../dev/createConfig.js'
import { demoAccountData } from '../dev/demoAccount.js'
import { demoTemplates } from '../dev/simulator/index.js'
import { templateDocument } from '../src/meta/templateDocument.js'
import { startRestServer } from '../test/helpers/restServer.js'
import { startBenchDatabase } from './database.js'

export type BenchApp = {
  accountId: string
  close: () => Promise<void>
  /** Which database the figures come from. */
  database: string
  payload: Payload
  restUrl: string
  templateId: string
}

/** Payload with the plugin (inline queue, command monitoring on); REST served over HTTP. */
export const bootBench = async (args: {
  audiences: Record<string, NamedAudience>
  graphApiUrl: string
}): Promise<BenchApp> => {
  const database = await startBenchDatabase()
  const config = createConfig({
    connectOptions: { monitorCommands: true },
    databaseUri: `${database.uri}/bench_${Date.now()}`,
    pluginOptions: { audiences: args.audiences, graphApiUrl: args.graphApiUrl, queue: false },
  })
  const payload = await getPayload({ config, key: 'bench' })
  const rest = await startRestServer(config, 'bench')
  const account = await payload.create({
    collection: 'whatsapp-accounts',
    data: demoAccountData('Bench number'),
  })
  const orderUpdate = demoTemplates.find((t) => t.name === 'order_update')
  if (!orderUpdate) {
    throw new Error('The simulator has no order_update template.')
  }
  const template = await payload.create({
    collection: 'whatsapp-templates',
    data: templateDocument(orderUpdate, account.id),
  })
  return {
    accountId: String(account.id),
    close: async () => {
      await rest.close()
      await payload.destroy()
      await database.stop()
    },
    database: database.label,
    payload,
    restUrl: rest.url,
    templateId: String(template.id),
  }
}
