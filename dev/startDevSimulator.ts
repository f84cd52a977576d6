import { promises as fs } from 'node:fs'

import { isNextHelperProcess } from '../src/nextHelperProcess.js'
import { checkoutDataFiles, checkoutPort, portFromEnv } from './checkoutData.js'
import { startChildService } from './childService.js'
import { demoAccount, demoUndeliverablePhone } from './demoAccount.js'
import { demoTemplates, type SimulatorOptions, simulatorOwnerHeader } from './simulator/index.js'

type Holder = { simulatorUrl?: Promise<string> }
const holder = globalThis as { __whatsappDevSimulator?: Holder } & typeof globalThis

/**
 * Starts the Cloud API simulator once per process, on this checkout's port (SIMULATOR_PORT, else
 * one picked on first start and recorded in .data/simulator.json), posting its webhooks to the
 * dev app. It runs in a process of its own, as Meta is not in the site's: in the app's process it
 * answered sends as late as the app was busy (next dev, a campaign at 1,000/s and its webhooks
 * kept that thread 99% busy), and those sends ended unknown. A simulator of the same checkout
 * already there (`npm run worker` beside `npm run dev`) is shared; any other process there is
 * refused: its webhooks would go to another app.
 */
export const startDevSimulator = (): Promise<string> => {
  holder.__whatsappDevSimulator ??= {}
  const state = holder.__whatsappDevSimulator
  state.simulatorUrl ??= (async () => {
    const checkoutDir = process.cwd()
    const port =
      portFromEnv('SIMULATOR_PORT') ??
      (await checkoutPort(checkoutDataFiles(checkoutDir).simulatorPortFile))
    const url = `http://127.0.0.1:${port}`
    // A simulator started in a Next.js helper process would take the port and vanish with it.
    if (isNextHelperProcess()) {
      return url
    }
    const owner = await fs.realpath(checkoutDir)
    const appPort = process.env.PORT ?? '3000'
    const options: SimulatorOptions = {
      accounts: [demoAccount],
      // One number Meta refuses, so failures show in the admin.
      errorCodesByPhone: { [demoUndeliverablePhone]: 131026 },
      latencyMs: { max: 250, min: 80 },
      // Some people answer, so replies, taps and the per-button breakdown show up in the admin.
      owner,
      port,
      replyButtons: ['Interested', 'Not now'],
      replyRate: 0.3,
      templates: { [demoAccount.wabaId]: demoTemplates },
      webhookUrl: `http://127.0.0.1:${appPort}/api/whatsapp/webhook`,
    }
    const started = await startChildService<SimulatorOptions, string>(
      'dev/simulator/childProcess.ts',
      options,
    ).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        return undefined
      }
      throw error
    })
    if (!started) {
      const found = await fetch(url).then(
        (response) => response.headers.get(simulatorOwnerHeader),
        (error: Error) => error,
      )
      if (found !== owner) {
        const holderName =
          found instanceof Error
            ? `a process that does not answer HTTP (${found.message})`
            : found
              ? `the simulator of another checkout (${found})`
              : 'an HTTP server that names no checkout'
        throw new Error(
          `The Cloud API simulator's port ${port} is held by ${holderName}, not by the simulator of this checkout (${owner}), so it is not used. ` +
            `Stop that process, or ${process.env.SIMULATOR_PORT ? 'set another SIMULATOR_PORT' : `delete ${checkoutDataFiles(checkoutDir).simulatorPortFile} to have a new free port picked`}.`,
        )
      }
    }
    return url
  })()
  return state.simulatorUrl
}
