import type { CloudApiSimulator, SimulatorOptions } from '../../dev/simulator/index.js'
import type { WhatsAppCampaignsPluginOptions } from '../../src/index.js'

import { demoTemplates, startCloudApiSimulator } from '../../dev/simulator/index.js'
import { stopCampaignQueue } from '../../src/index.js'
import { bootPayload, type TestApp } from './bootPayload.js'
import { createAccount, testAccount } from './fixtures.js'
import { createDemoTemplates } from './templates.js'

export type SimulatedApp = { simulator: CloudApiSimulator } & TestApp

/**
 * Payload with the plugin pointed at a Cloud API simulator over real HTTP, the simulator's
 * webhooks posted back to Payload's REST API.
 */
export const bootWithSimulator = async (
  name: string,
  pluginOptions: WhatsAppCampaignsPluginOptions = {},
  simulatorOptions: Partial<SimulatorOptions> = {},
): Promise<SimulatedApp> => {
  const simulator = await startCloudApiSimulator({
    accounts: [testAccount],
    templates: { [testAccount.wabaId]: demoTemplates },
    ...simulatorOptions,
  })
  const app = await bootPayload(name, {
    pluginOptions: { claimLeaseMs: 5000, graphApiUrl: simulator.url, ...pluginOptions },
  })
  simulator.configure({ webhookUrl: `${app.rest.url}/api/whatsapp/webhook` })
  return {
    ...app,
    close: async () => {
      await stopCampaignQueue(app.payload)
      await simulator.close()
      await app.close()
    },
    simulator,
  }
}

/** What most campaign tests start from: an editor's token, one account and the demo templates. */
export const setUpEditorAccount = async (
  app: SimulatedApp,
  account: Parameters<typeof createAccount>[1] = {},
) => {
  const editor = await app.login()
  const accountId = (await createAccount(app.payload, account)).id
  return { accountId, editor, templates: await createDemoTemplates(app.payload, accountId) }
}
