import type { Payload } from 'payload'

/** n contacts with distinct Indian mobile numbers, labelled; returns their E.164 digits. */
export const createContacts = async (
  payload: Payload,
  accountId: number | string,
  n: number,
  { first = 0, label = 'bulk' }: { first?: number; label?: string } = {},
) => {
  const phones: string[] = []
  for (let i = first; i < first + n; i++) {
    const local = `9${String(800000000 + i).padStart(9, '0')}`
    await payload.create({
      collection: 'whatsapp-contacts',
      data: { account: accountId, displayName: `Contact ${i}`, labels: [label], phone: local },
    })
    phones.push(`91${local}`)
  }
  return phones
}
