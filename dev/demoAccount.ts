/** The seeded account; the simulator knows the same credentials. */
export const demoAccount = {
  accessToken: 'dev-access-token',
  appSecret: 'dev-app-secret',
  displayPhoneNumber: '15550001111',
  phoneNumberId: '100000000000001',
  verifyToken: 'dev-verify-token',
  wabaId: '200000000000001',
}
