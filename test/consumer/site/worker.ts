// A campaign worker, as the README has it: run with `npx payload run worker.ts`; with
// WHATSAPP_WEBHOOK_PORT, it also receives Meta's webhooks (README "High-volume webhooks").
import config from '@payload-config'
import { getPayload } from 'payload'
import { runWorker } from 'payload-plugin-whatsapp-campaigns'

const payload = await getPayload({ config })
const webhookPort = process.env.WHATSAPP_WEBHOOK_PORT
await runWorker(
  payload,
  webhookPort ? { webhooks: { host: '127.0.0.1', port: Number(webhookPort) } } : {},
)
