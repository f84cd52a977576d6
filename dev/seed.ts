import type { Payload } from 'payload'

import { templateDocument } from '../src/meta/templateDocument.js'
import { demoAccountData } from './demoAccount.js'
import { withFileLock } from './fileLock.js'
import { demoTemplates } from './simulator/index.js'

export const devUser = { email: 'dev@payloadcms.com', password: 'test' }

const firstNames = [
  'Aarav',
  'Diya',
  'Kabir',
  'Meera',
  'Rohan',
  'Sara',
  'Vivaan',
  'Zoya',
  'Ishaan',
  'Anaya',
]
const cities = ['Mumbai', 'Delhi', 'Pune', 'Jaipur', 'Chennai']

/**
 * First start only: a login, the simulator's account, its templates, ~50 contacts, a draft
 * campaign. Processes starting together (Next.js evaluates the config in several, `npm run
 * worker` beside `npm run dev`) take turns on `lockFile`, so only the first one seeds.
 */
export const seed = (
  payload: Payload,
  { lockFile, simulatorUrl }: { lockFile: string; simulatorUrl?: string },
) => withFileLock(lockFile, () => seedUnlessSeeded(payload, simulatorUrl))

const seedUnlessSeeded = async (payload: Payload, simulatorUrl: string | undefined) => {
  const { totalDocs } = await payload.count({ collection: 'users' })
  if (totalDocs > 0) {
    return
  }
  payload.logger.info('Seeding the dev database')
  await payload.create({ collection: 'users', data: { ...devUser, role: 'admin' } })

  const account = await payload.create({
    collection: 'whatsapp-accounts',
    data: demoAccountData(simulatorUrl ? 'Demo number (simulator)' : 'Demo number'),
  })

  const templates = []
  for (const template of demoTemplates) {
    templates.push(
      await payload.create({
        collection: 'whatsapp-templates',
        data: templateDocument(template, account.id),
      }),
    )
  }

  for (let i = 0; i < 50; i++) {
    await payload.create({
      collection: 'whatsapp-contacts',
      data: {
        account: account.id,
        attributes: { city: cities[i % cities.length], orderId: `ORD-${1000 + i}` },
        displayName: `${firstNames[i % firstNames.length]} ${String.fromCharCode(65 + (i % 26))}.`,
        labels: [i % 3 === 0 ? 'vip' : 'regular', ...(i % 5 === 0 ? ['beta'] : [])],
        optedOut: i === 7,
        phone: `98${String(76500000 + i).padStart(8, '0')}`,
      },
    })
  }

  const orderUpdate = templates.find((t) => t.name === 'order_update')
  await payload.create({
    collection: 'whatsapp-campaigns',
    data: {
      name: 'VIP order updates (demo)',
      account: account.id,
      audienceFilters: { labels: { contains: 'vip' } },
      audienceType: 'contacts',
      parameterMappings: { '1': 'name', '2': 'attributes.orderId' },
      template: orderUpdate?.id,
    },
  })
}
