/** Meta's error body, as the Graph API returns it. */
export const metaError = (
  httpStatus: number,
  code: number,
  message: string,
  details?: string,
  subcode?: number,
) => ({
  body: {
    error: {
      code,
      ...(details ? { error_data: { details, messaging_product: 'whatsapp' } } : {}),
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      type: code === 190 ? 'OAuthException' : 'OAuthException',
      fbtrace_id: `sim${Math.random().toString(36).slice(2, 12)}`,
      message,
    },
  },
  status: httpStatus,
})

export type MetaErrorReply = ReturnType<typeof metaError>

/** Messages Meta gives for the codes the simulator produces. */
export const errorMessages: Record<number, string> = {
  100: 'Invalid parameter',
  190: 'Error validating access token: Session has expired',
  368: 'Temporarily blocked for policies violations',
  130429: 'Rate limit hit',
  131026: 'Message undeliverable',
  131031: 'Business Account locked',
  131047: 'Re-engagement message',
  131048: 'Spam rate limit hit',
  131049: 'This message was not delivered to maintain healthy ecosystem engagement.',
  131050:
    'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business.',
  132000: 'Number of parameters does not match the expected number of params',
  132001: 'Template name does not exist in the translation',
  132015: 'Template is Paused',
  132016: 'Template is Disabled',
}
