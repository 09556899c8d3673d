import { fireEvent, render } from '@solidjs/testing-library'
import { createSignal } from 'solid-js'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ConnectionIndicator } from '../../../ui/src/app/ConnectionIndicator.tsx'
import { TokenPrompt } from '../../../ui/src/app/TokenPrompt.tsx'
import type { ConnectionStatus } from '../../../ui/src/data/live.ts'
import { initialToken, readToken } from '../../../ui/src/data/token.ts'

const WORDS = ['live', 'reconnecting', 'offline']

describe('ConnectionIndicator', () => {
  it('says exactly one of live / reconnecting / offline, and the last offset', () => {
    const [status, setStatus] = createSignal<ConnectionStatus>('offline')
    const [offset, setOffset] = createSignal<number>()
    const { getByTestId } = render(() => <ConnectionIndicator status={status()} lastOffset={offset()} />)
    const el = getByTestId('connection')
    for (const s of ['offline', 'live', 'reconnecting'] as const) {
      setStatus(s)
      const words = el.textContent!.split(/[^a-z]+/).filter((w) => WORDS.includes(w))
      expect(words).toEqual([s])
      expect(el.dataset.state).toBe(s)
    }
    setOffset(1234)
    expect(el.textContent).toContain('1234')
  })
})

describe('TokenPrompt', () => {
  afterEach(() => sessionStorage.clear())

  it('submits the entered token and shows why the last one failed', () => {
    const onSubmit = vi.fn()
    const { getByTestId } = render(() => <TokenPrompt error="The bearer token is not valid for this server." onSubmit={onSubmit} />)
    expect(getByTestId('token-prompt')).toBeTruthy()
    expect(getByTestId('token-error').textContent).toContain('not valid')
    const submit = getByTestId('token-submit') as HTMLButtonElement
    expect(submit.disabled).toBe(true)
    fireEvent.input(getByTestId('token-input'), { target: { value: '  s3cret  ' } })
    fireEvent.submit(getByTestId('token-prompt'))
    expect(onSubmit).toHaveBeenCalledWith('s3cret')
  })

  it('takes ?token= once, keeps it for the tab and removes it from the URL', () => {
    window.history.replaceState(null, '', '/?token=abc&node=x')
    expect(initialToken(window)).toBe('abc')
    expect(window.location.search).toBe('?node=x')
    expect(readToken(window)).toBe('abc')
    expect(initialToken(window)).toBe('abc')
  })
})
