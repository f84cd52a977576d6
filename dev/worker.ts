import { getPayload } from 'payload'

import { runWorker } from '../src/index.js'
/**
 * A campaign worker process for the dev app: `npm run worker`. In a site, the same lines with
 * the site's own config, run with `npx payload run worker.ts` (any number of them). With
 * WHATSAPP_WEBHOOK_PORT set, it also receives Meta's webhooks on that port (README
 * "High-volume webhooks"), and only those with WHATSAPP_CAMPAIGNS_WORKER=false. SIGINT or
 * SIGTERM stops it gracefully.
 */
import config from './payload.config.js'

const payload = await getPayload({ config })
const webhookPort = process.env.WHATSAPP_WEBHOOK_PORT
await runWorker(payload, webhookPort ? { webhooks: { port: Number(webhookPort) } } : {})
