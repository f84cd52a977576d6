import type { NamedAudience } from '../src/index.js'

/** A named audience as a site would register one: here, the admin users who have a phone. */
export const demoAudiences: Record<string, NamedAudience> = {
  team: {
    fields: ['phone', 'name', 'email'],
    label: 'Team (demo named audience)',
    resolve: () =>
      Promise.resolve([
        { email: 'asha@example.com', name: 'Asha', phone: '+91 98765 00001' },
        { email: 'ben@example.com', name: 'Ben', phone: '+44 7700 900123' },
        { email: 'chen@example.com', name: 'Chen', phone: '+1 415 555 2671' },
      ]),
  },
}
