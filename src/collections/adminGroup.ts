/** Every collection of the plugin sits in one admin nav group unless overridden. */
export const adminGroup = 'WhatsApp'
