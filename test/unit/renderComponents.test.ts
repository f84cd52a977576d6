import { describe, expect, test } from 'vitest'

import {
  buildSendComponents,
  checkParameterMappings,
  resolveParameters,
} from '../../src/audience/renderComponents.js'

const body = (text: string) => ({ type: 'BODY', text })
const numbered = [body('Hi {{1}}, order {{2}}')]
const rich = [
  { type: 'HEADER', format: 'TEXT', text: 'For {{1}}' },
  body('Hello {{first_name}}'),
  { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY' }, { type: 'URL', url: 'https://x/{{1}}' }] },
]

describe('resolveParameters', () => {
  test('reads each mapped field, nested paths and exact dotted keys', () => {
    expect(
      resolveParameters({
        components: numbered,
        parameterMappings: { '1': 'name', '2': 'order.id' },
        row: { name: 'Ann', order: { id: 42 } },
      }),
    ).toEqual({ ok: true, parameters: { '1': 'Ann', '2': '42' } })
    expect(
      resolveParameters({
        components: numbered,
        parameterMappings: { '1': 'a.b', '2': 'a.b' },
        row: { a: { b: 'nested' }, 'a.b': 'flat' },
      }),
    ).toEqual({ ok: true, parameters: { '1': 'flat', '2': 'flat' } })
  })

  test('cleans what Meta refuses: newlines, tabs, runs of spaces', () => {
    const result = resolveParameters({
      components: [body('{{1}}')],
      parameterMappings: { '1': 'note' },
      row: { note: ' a\n\tb      c ' },
    })
    expect(result).toEqual({ ok: true, parameters: { '1': 'a b    c' } })
  })

  test('says which variables have no mapping or no value; objects are not values', () => {
    const result = resolveParameters({
      components: numbered,
      parameterMappings: { '2': 'tags' },
      row: { tags: ['x'] },
    })
    expect(result).toEqual({
      error: 'Not sent: no mapping for {{1}}; no value for {{2}} (field "tags").',
      missing: ['1', '2'],
      ok: false,
    })
  })
})

describe('buildSendComponents', () => {
  test('header, body with named parameters, and the URL button at its index', () => {
    expect(
      buildSendComponents(rich, { 'button.1.1': 'abc', first_name: 'Ann', 'header.1': 'VIP' }),
    ).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'VIP' }] },
      { type: 'body', parameters: [{ type: 'text', parameter_name: 'first_name', text: 'Ann' }] },
      { type: 'button', index: '1', parameters: [{ type: 'text', text: 'abc' }], sub_type: 'url' },
    ])
  })

  test('a media header takes its link', () => {
    expect(
      buildSendComponents([{ type: 'HEADER', format: 'IMAGE' }], { 'header.media': 'https://i' }),
    ).toEqual([{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://i' } }] }])
  })

  test('no components for a template without variables, none when a value is missing', () => {
    expect(buildSendComponents([body('Hello')], {})).toEqual([])
    expect(buildSendComponents(numbered, { '1': 'Ann' })).toEqual([])
  })

  test('resolve then build gives the parameters in the template order', () => {
    const resolved = resolveParameters({
      components: numbered,
      parameterMappings: { '1': 'name', '2': 'code' },
      row: { name: 'Ann', code: 'A1' },
    })
    expect(resolved.ok && buildSendComponents(numbered, resolved.parameters)).toEqual([
      {
        type: 'body',
        parameters: [
          { type: 'text', text: 'Ann' },
          { type: 'text', text: 'A1' },
        ],
      },
    ])
  })
})

describe('checkParameterMappings', () => {
  test('unmapped variables, unknown fields (when known) and extra keys', () => {
    expect(checkParameterMappings(numbered, { '1': 'name', '3': 'x' }, ['name'])).toEqual([
      'mapping for {{2}} missing.',
      '"3" is not a variable of this template (its variables: 1, 2).',
    ])
    expect(checkParameterMappings(numbered, { '1': 'name', '2': 'nope' }, ['name'])).toEqual([
      '{{2}} maps to "nope", which the audience does not have (fields: name).',
    ])
    expect(checkParameterMappings(numbered, { '1': 'name', '2': 'anything' })).toEqual([])
  })
})
