import { getPayload } from 'payload'

import { runWorker } from '../src/index.js'
/**
 * A campaign worker process for the dev app: `npm run worker`. In a site, the same three lines
 * with the site's own config, run with `npx payload run worker.ts` (any number of them).
 */
import config from './payload.config.js'

await runWorker(await getPayload({ config }))
