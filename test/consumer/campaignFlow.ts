import { demoAccountData } from '../../dev/demoAccount.js'
import { waitFor } from './processes.js'

type Doc = { id: number | string } & Record<string, unknown>

const audienceSize = 20

/** A REST client of the site, logged in as its first user. */
const restClient = async (siteUrl: string) => {
  let token = ''
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${siteUrl}/api${path}`, {
      body: body === undefined ? undefined : JSON.stringify(body),
      headers: {
        'Content-Type': 'application/json',
        ...(token ? { Authorization: `JWT ${token}` } : {}),
      },
      method,
    })
    const text = await response.text()
    if (!response.ok) {
      throw new Error(`${method} /api${path} answered ${response.status}: ${text.slice(0, 500)}`)
    }
    return JSON.parse(text)
  }
  const user = { email: 'consumer@example.com', password: 'consumer-test-password' }
  const registered = (await call('POST', '/users/first-register', user)) as { token?: string }
  const login = (await call('POST', '/users/login', user)) as { token?: string }
  token = login.token ?? registered.token ?? ''
  if (!token) {
    throw new Error('logging in returned no token')
  }
  return call
}

/**
 * The README's flow through the site's REST API: an account on the simulator, its templates
 * synced, contacts, a campaign run by `POST /:id/run`, and the counters once webhooks landed.
 */
export const runCampaignThroughSite = async (siteUrl: string) => {
  const call = await restClient(siteUrl)
  const { doc: account } = (await call(
    'POST',
    '/whatsapp-accounts',
    demoAccountData('Consumer site number'),
  )) as { doc: Doc }
  await call('POST', '/whatsapp-templates/sync', { account: account.id })
  const templates = (await call(
    'GET',
    '/whatsapp-templates?where[name][equals]=hello_world&depth=0',
  )) as { docs: Doc[] }
  const template = templates.docs[0]
  if (!template) {
    throw new Error('template sync brought no hello_world template from the simulator')
  }
  for (let i = 0; i < audienceSize; i++) {
    await call('POST', '/whatsapp-contacts', {
      account: account.id,
      displayName: `Contact ${i}`,
      phone: `9${String(812300000 + i)}`,
    })
  }
  const { doc: campaign } = (await call('POST', '/whatsapp-campaigns', {
    name: 'Consumer site campaign',
    account: account.id,
    audienceType: 'contacts',
    template: template.id,
  })) as { doc: Doc }
  await call('POST', `/whatsapp-campaigns/${campaign.id}/run`)

  const read = () => call('GET', `/whatsapp-campaigns/${campaign.id}?depth=0`) as Promise<Doc>
  // The worker inside `next start` sends; the simulator's webhooks then move the counters.
  const done = await waitFor(
    'the campaign to complete with every status webhook applied',
    async () => {
      const doc = await read()
      if (doc.status === 'failed') {
        throw new Error(`campaign failed: ${String(doc.error)}`)
      }
      return doc.status === 'completed' && doc.readCount === audienceSize ? doc : undefined
    },
    180_000,
  ).catch(async (error: Error) => {
    const doc = await read()
    throw new Error(`${error.message}; last state ${JSON.stringify(counters(doc))}`)
  })
  const expected = {
    deliveredCount: audienceSize,
    failedCount: 0,
    readCount: audienceSize,
    sentCount: audienceSize,
    status: 'completed',
    totalCount: audienceSize,
  }
  if (JSON.stringify(counters(done)) !== JSON.stringify(expected)) {
    throw new Error(
      `counters ${JSON.stringify(counters(done))}, expected ${JSON.stringify(expected)}`,
    )
  }
  return counters(done)
}

const counters = (doc: Doc) => ({
  deliveredCount: doc.deliveredCount,
  failedCount: doc.failedCount,
  readCount: doc.readCount,
  sentCount: doc.sentCount,
  status: doc.status,
  totalCount: doc.totalCount,
})
