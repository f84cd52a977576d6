import { isNextHelperProcess } from '../src/nextHelperProcess.js'
import { checkoutDataFiles } from './checkoutData.js'
import { createConfig } from './createConfig.js'
import { resolveDatabaseUri } from './database/databaseUri.js'
import { demoAudiences } from './demoAudiences.js'
import { demoRateCard } from './demoRateCard.js'
import { seed } from './seed.js'
import { startDevSimulator } from './startDevSimulator.js'

// The simulator stands in for Meta unless a real Graph API URL is configured.
const simulatorUrl = process.env.WHATSAPP_GRAPH_API_URL ? undefined : await startDevSimulator()

export default createConfig({
  databaseUri: await resolveDatabaseUri(),
  onInit: async (payload) => {
    // A helper process may be stopped mid-seed; the dev server's own process seeds.
    if (!isNextHelperProcess()) {
      const lockFile = checkoutDataFiles(process.cwd()).seedLockFile
      await seed(payload, { lockFile, simulatorUrl })
    }
  },
  pluginOptions: {
    audiences: demoAudiences,
    graphApiUrl: process.env.WHATSAPP_GRAPH_API_URL ?? simulatorUrl,
    rateCard: demoRateCard,
  },
})
