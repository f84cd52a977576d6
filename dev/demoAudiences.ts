import type { NamedAudience } from '../src/index.js'

/** A named audience as a site would register one: here, the admin users who have a phone. */
export const demoAudiences: Record<string, NamedAudience> = {
  team: {
    fields: ['phone', 'name', 'email'],
    label: 'Team (demo named audience)',
    resolve: () =>
      Promise.resolve([
        { name: 'Asha', email: 'asha@example.com', phone: '+91 98765 00001' },
        { name: 'Ben', email: 'ben@example.com', phone: '+44 7911 123456' },
        { name: 'Chen', email: 'chen@example.com', phone: '+1 415 555 2671' },
      ]),
  },
}
