import type { MetaTemplate } from '../../src/meta/types.js'

/** Templates in Meta's message_templates shape, for the dev app and the tests. */
export const demoTemplates: MetaTemplate[] = [
  {
    category: 'UTILITY',
    components: [
      { text: 'Hi {{1}}, your order {{2}} has shipped.', type: 'BODY' },
      { text: 'Reply STOP to unsubscribe', type: 'FOOTER' },
    ],
    id: '900000000000001',
    language: 'en_US',
    name: 'order_update',
    parameter_format: 'POSITIONAL',
    status: 'APPROVED',
  },
  {
    category: 'MARKETING',
    components: [{ text: 'Welcome {{first_name}}!', type: 'BODY' }],
    id: '900000000000002',
    language: 'en_US',
    name: 'welcome_named',
    parameter_format: 'NAMED',
    status: 'APPROVED',
  },
  {
    category: 'MARKETING',
    components: [
      { format: 'TEXT', text: 'Sale for {{1}}', type: 'HEADER' },
      { text: '{{1}}, our spring sale starts today.', type: 'BODY' },
      {
        buttons: [{ text: 'See offer', type: 'URL', url: 'https://example.com/offer/{{1}}' }],
        type: 'BUTTONS',
      },
    ],
    id: '900000000000003',
    language: 'en_US',
    name: 'promo_header',
    parameter_format: 'POSITIONAL',
    status: 'APPROVED',
  },
  {
    category: 'UTILITY',
    components: [{ text: 'Hello from our team!', type: 'BODY' }],
    id: '900000000000004',
    language: 'en_US',
    name: 'hello_world',
    status: 'APPROVED',
  },
  {
    category: 'MARKETING',
    components: [{ text: 'Spring sale: {{1}} off', type: 'BODY' }],
    id: '900000000000005',
    language: 'en_US',
    name: 'spring_sale',
    status: 'PENDING',
  },
  {
    category: 'MARKETING',
    components: [{ text: 'Win a prize {{1}}!', type: 'BODY' }],
    id: '900000000000006',
    language: 'en_US',
    name: 'prize_draw',
    rejected_reason: 'PROMOTIONAL',
    status: 'REJECTED',
  },
]
