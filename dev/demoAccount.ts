/** The seeded account; the simulator knows the same credentials. */
export const demoAccount = {
  accessToken: 'dev-access-token',
  appSecret: 'dev-app-secret',
  /** The business portfolio the simulator reports as the WABA's owner (Sync reads it). */
  businessId: '300000000000001',
  displayPhoneNumber: '15550001111',
  /** Meta's tier for new portfolios; Sync templates reads it onto the account. */
  messagingLimit: 'TIER_250',
  phoneNumberId: '100000000000001',
  verifyToken: 'dev-verify-token',
  wabaId: '200000000000001',
}

/** The dev simulator answers sends to this number with 131026 (message undeliverable). */
export const demoUndeliverablePhone = '919876599999'

/** The accounts document for the demo credentials, as the seed and the benchmark create it. */
export const demoAccountData = (name: string) => ({
  name,
  accessTokenInput: demoAccount.accessToken,
  appSecretInput: demoAccount.appSecret,
  displayPhoneNumber: demoAccount.displayPhoneNumber,
  messagesPerSecond: 80,
  phoneNumberId: demoAccount.phoneNumberId,
  verifyToken: demoAccount.verifyToken,
  wabaId: demoAccount.wabaId,
})
