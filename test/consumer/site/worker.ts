// A campaign worker, as the README has it: run with `npx payload run worker.ts`.
import config from '@payload-config'
import { getPayload } from 'payload'
import { runWorker } from 'payload-plugin-whatsapp-campaigns'

await runWorker(await getPayload({ config }))
