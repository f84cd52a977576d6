import type { MetaTemplate } from '../../src/meta/types.js'

/** Templates in Meta's message_templates shape, for the dev app and the tests. */
export const demoTemplates: MetaTemplate[] = [
  {
    id: '900000000000001',
    name: 'order_update',
    category: 'UTILITY',
    components: [
      { type: 'BODY', text: 'Hi {{1}}, your order {{2}} has shipped.' },
      { type: 'FOOTER', text: 'Reply STOP to unsubscribe' },
    ],
    language: 'en_US',
    parameter_format: 'POSITIONAL',
    status: 'APPROVED',
  },
  {
    id: '900000000000002',
    name: 'welcome_named',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Welcome {{first_name}}!' }],
    language: 'en_US',
    parameter_format: 'NAMED',
    status: 'APPROVED',
  },
  {
    id: '900000000000003',
    name: 'promo_header',
    category: 'MARKETING',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Sale for {{1}}' },
      { type: 'BODY', text: '{{1}}, our spring sale starts today.' },
      {
        type: 'BUTTONS',
        buttons: [{ type: 'URL', text: 'See offer', url: 'https://example.com/offer/{{1}}' }],
      },
    ],
    language: 'en_US',
    parameter_format: 'POSITIONAL',
    status: 'APPROVED',
  },
  {
    id: '900000000000004',
    name: 'hello_world',
    category: 'UTILITY',
    components: [{ type: 'BODY', text: 'Hello from our team!' }],
    language: 'en_US',
    status: 'APPROVED',
  },
  {
    id: '900000000000005',
    name: 'spring_sale',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Spring sale: {{1}} off' }],
    language: 'en_US',
    status: 'PENDING',
  },
  {
    id: '900000000000006',
    name: 'prize_draw',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Win a prize {{1}}!' }],
    language: 'en_US',
    rejected_reason: 'PROMOTIONAL',
    status: 'REJECTED',
  },
]
