/** `npm run simulator`: the Cloud API simulator on its own, configured from the environment. */
import { demoAccount } from '../demoAccount.js'
import { demoTemplates, startCloudApiSimulator } from './index.js'

const account = {
  ...demoAccount,
  accessToken: process.env.SIMULATOR_ACCESS_TOKEN ?? demoAccount.accessToken,
  appSecret: process.env.SIMULATOR_APP_SECRET ?? demoAccount.appSecret,
}
const simulator = await startCloudApiSimulator({
  accounts: [account],
  latencyMs: Number(process.env.SIMULATOR_LATENCY_MS ?? 100),
  port: Number(process.env.SIMULATOR_PORT ?? 4010),
  templates: { [account.wabaId]: demoTemplates },
  webhookUrl: process.env.SIMULATOR_WEBHOOK_URL,
})
process.stdout.write(`WhatsApp Cloud API simulator on ${simulator.url}\n`)
const stop = () => void simulator.close().then(() => process.exit(0))
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
