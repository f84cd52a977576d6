import { getPayload } from 'payload'

import { runWorker, startWebhookReceiver } from '../src/index.js'
/**
 * A campaign worker process for the dev app: `npm run worker`. In a site, the same three lines
 * with the site's own config, run with `npx payload run worker.ts` (any number of them). With
 * WHATSAPP_WEBHOOK_PORT set, it also receives Meta's webhooks on that port (README
 * "High-volume webhooks"), and only those with WHATSAPP_CAMPAIGNS_WORKER=false.
 */
import config from './payload.config.js'

const payload = await getPayload({ config })
const webhookPort = process.env.WHATSAPP_WEBHOOK_PORT
if (webhookPort) {
  const receiver = await startWebhookReceiver(payload, { port: Number(webhookPort) })
  payload.logger.info(`whatsapp webhooks received at ${receiver.url}`)
}
if (!webhookPort || process.env.WHATSAPP_CAMPAIGNS_WORKER !== 'false') {
  await runWorker(payload)
}
