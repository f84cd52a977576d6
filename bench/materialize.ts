import { ObjectId } from 'mongodb'
import { once } from 'node:events'
import { createReadStream, createWriteStream } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

import type { AudienceRow } from '../src/options.js'
import type { BenchApp } from './boot.js'

import { contactsSource } from '../src/audience/contactsSource.js'
import { readCsvRows } from '../src/audience/csvRows.js'
import { materializeAudience } from '../src/sending/materialize.js'
import { getStore } from '../src/store/index.js'
import { sampleRss } from './measure.js'
import { benchPhone, benchRows } from './phones.js'
import { onPostgres, postgresTable } from './rawTables.js'

export type MaterializeResult = {
  kind: string
  peakRssMb: number
  rows: number
  rowsPerSecond: number
}

const writeCsv = async (rows: number) => {
  const file = path.join(os.tmpdir(), `bench-audience-${process.pid}-${rows}.csv`)
  const out = createWriteStream(file)
  out.write('phone,name,code\n')
  for await (const row of benchRows(rows)) {
    if (!out.write(`${row.phone},${row.name},${row.code}\n`)) {
      await once(out, 'drain')
    }
  }
  out.end()
  await once(out, 'finish')
  return file
}

/** The i-th contact's own fields; the rest are the collection's defaults. */
const benchContact = (i: number) => {
  const phone = benchPhone(i)
  return {
    attributes: { code: `ORD-${i}` },
    displayName: `Guest ${i}`,
    normalizedPhone: phone.replace(/\D/g, ''),
    phone,
  }
}

type BenchContact = ReturnType<typeof benchContact>

const insertMongoContacts = (app: BenchApp) => {
  const collection = app.payload.db.connection.collection('whatsapp-contacts')
  const account = new ObjectId(String(app.accountId))
  return async (contacts: BenchContact[]) => {
    const now = new Date()
    await collection.insertMany(
      contacts.map((contact) => ({
        ...contact,
        account,
        createdAt: now,
        isBlocked: false,
        labels: [],
        optedOut: false,
        updatedAt: now,
      })),
    )
  }
}

/** One INSERT per chunk, its rows as arrays; opted_out, is_blocked and timestamps default. */
const insertPostgresContacts = (app: BenchApp) => {
  const { pool, table } = postgresTable(app.payload, 'whatsapp-contacts')
  return async (contacts: BenchContact[]) => {
    await pool.query(
      `INSERT INTO ${table} (account_id, phone, normalized_phone, display_name, attributes)
       SELECT $1, * FROM unnest($2::varchar[], $3::varchar[], $4::varchar[], $5::jsonb[])`,
      [
        app.accountId,
        contacts.map((c) => c.phone),
        contacts.map((c) => c.normalizedPhone),
        contacts.map((c) => c.displayName),
        contacts.map((c) => JSON.stringify(c.attributes)),
      ],
    )
  }
}

/** Inserts contacts straight through the driver: the bench measures reading them, not creating. */
const insertContacts = async (app: BenchApp, count: number) => {
  const insert = onPostgres(app.payload) ? insertPostgresContacts(app) : insertMongoContacts(app)
  for (let start = 0; start < count; start += 5000) {
    await insert(
      Array.from({ length: Math.min(5000, count - start) }, (_, k) => benchContact(start + k)),
    )
  }
}

/** Streams an audience into recipients and reports rows/s and the process's peak RSS. */
const measure = async (
  app: BenchApp,
  kind: string,
  rows: number,
  source: () => AsyncIterable<AudienceRow>,
): Promise<MaterializeResult> => {
  const campaign = await app.payload.create({
    collection: 'whatsapp-campaigns',
    data: { name: `materialize ${kind}`, account: app.accountId, template: app.templateId },
  })
  const store = getStore(app.payload)
  global.gc?.()
  const rss = sampleRss()
  const started = performance.now()
  await materializeAudience({
    campaignId: String(campaign.id),
    defaultCountryCode: '91',
    excludedPhones: new Map(),
    nameField: 'name',
    parameterMappings: { '1': 'name', '2': 'code' },
    phoneField: 'phone',
    rows: source(),
    store,
    templateComponents: [{ type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.' }],
  })
  const seconds = (performance.now() - started) / 1000
  const peakRssMb = rss.stop()
  const counts = await store.countByStatus(String(campaign.id))
  if (counts.pending !== rows) {
    throw new Error(`${kind}: ${counts.pending} of ${rows} rows became pending recipients`)
  }
  await store.deleteRecipients(String(campaign.id))
  return { kind, peakRssMb, rows, rowsPerSecond: rows / seconds }
}

export const benchMaterialize = async (app: BenchApp, rows: number) => {
  const file = await writeCsv(rows)
  const results = [await measure(app, 'CSV', rows, () => readCsvRows(createReadStream(file)))]
  results.push(await measure(app, 'named audience', rows, () => benchRows(rows)))
  await insertContacts(app, rows)
  results.push(
    await measure(app, 'contacts', rows, () =>
      contactsSource({
        slug: 'whatsapp-contacts',
        accountId: String(app.accountId),
        payload: app.payload,
      }),
    ),
  )
  return results
}
