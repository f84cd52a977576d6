import { createConfig } from './createConfig.js'
import { resolveDatabaseUri } from './database/databaseUri.js'
import { demoAudiences } from './demoAudiences.js'
import { seed } from './seed.js'
import { startDevSimulator } from './startDevSimulator.js'

// The simulator stands in for Meta unless a real Graph API URL is configured.
const simulatorUrl = process.env.WHATSAPP_GRAPH_API_URL ? undefined : await startDevSimulator()

export default createConfig({
  databaseUri: await resolveDatabaseUri(),
  onInit: async (payload) => {
    await seed(payload, { simulatorUrl })
  },
  pluginOptions: {
    audiences: demoAudiences,
    graphApiUrl: process.env.WHATSAPP_GRAPH_API_URL ?? simulatorUrl,
  },
})
