import { isNextHelperProcess } from '../src/nextHelperProcess.js'
import { demoAccount, demoUndeliverablePhone } from './demoAccount.js'
import { demoTemplates, startCloudApiSimulator } from './simulator/index.js'

type Holder = { simulatorUrl?: Promise<string> }
const holder = globalThis as { __whatsappDevSimulator?: Holder } & typeof globalThis

/** Starts the Cloud API simulator once per process, posting its webhooks to the dev app. */
export const startDevSimulator = (): Promise<string> => {
  const port = Number(process.env.SIMULATOR_PORT ?? 4010)
  // A simulator started in a Next.js helper process would take the port and vanish with it.
  if (isNextHelperProcess()) {
    return Promise.resolve(`http://127.0.0.1:${port}`)
  }
  holder.__whatsappDevSimulator ??= {}
  const state = holder.__whatsappDevSimulator
  state.simulatorUrl ??= (async () => {
    const appPort = process.env.PORT ?? '3000'
    const simulator = await startCloudApiSimulator({
      accounts: [demoAccount],
      // One number Meta refuses, so failures show in the admin.
      errorCodesByPhone: { [demoUndeliverablePhone]: 131026 },
      latencyMs: { max: 250, min: 80 },
      port,
      templates: { [demoAccount.wabaId]: demoTemplates },
      webhookUrl: `http://127.0.0.1:${appPort}/api/whatsapp/webhook`,
    }).catch((error: NodeJS.ErrnoException) => {
      // `npm run worker` beside `npm run dev`: the dev app's simulator serves both.
      if (error.code === 'EADDRINUSE') {
        return undefined
      }
      throw error
    })
    return simulator?.url ?? `http://127.0.0.1:${port}`
  })()
  return state.simulatorUrl
}
