import { fireEvent, render } from '@solidjs/testing-library'
import { createSignal } from 'solid-js'
import { describe, expect, it } from 'vitest'
import { DriftList } from '../../../ui/src/app/DriftList.tsx'
import type { Drift } from '../../../ui/src/data/types.ts'

const drifts: Drift[] = Array.from({ length: 10_000 }, (_, i) => ({
  id: `d${i}`, kind: 'modified', address: `aws_instance.web[${i}]`, type: 'aws_instance', provider: 'aws',
  severity: 'high', detected_at: '2026-01-01T00:00:00Z', status: 'open',
}))

function mount() {
  const [selected, setSelected] = createSignal<string>()
  const jumps: string[] = []
  const r = render(() => (
    <DriftList drifts={drifts} selectedId={selected()} fallbackHeight={440} rowHeight={44}
      onSelect={(d, jump) => { setSelected(d.id); if (jump) jumps.push(d.id) }} />
  ))
  return { ...r, selected, jumps }
}

describe('DriftList', () => {
  it('renders only the rows in view for 10k drifts', () => {
    const { getAllByTestId, getByRole } = mount()
    const rows = getAllByTestId('drift-row')
    expect(rows.length).toBeGreaterThan(5)
    expect(rows.length).toBeLessThan(40)
    expect(getByRole('listbox').getAttribute('aria-label')).toBe('Drifts, 10000')
    expect(rows[0]!.getAttribute('aria-label')).toContain('aws_instance.web[0]')
  })

  it('moves the selection with the arrow keys and jumps on Enter', () => {
    const { getByRole, selected, jumps } = mount()
    const list = getByRole('listbox')
    fireEvent.keyDown(list, { key: 'ArrowDown' })
    expect(selected()).toBe('d0')
    fireEvent.keyDown(list, { key: 'ArrowDown' })
    fireEvent.keyDown(list, { key: 'ArrowDown' })
    expect(selected()).toBe('d2')
    expect(list.getAttribute('aria-activedescendant')).toBe('drift-d2')
    expect(list.querySelector('[aria-selected="true"]')?.getAttribute('data-drift-id')).toBe('d2')
    fireEvent.keyDown(list, { key: 'ArrowUp' })
    expect(selected()).toBe('d1')
    fireEvent.keyDown(list, { key: 'Enter' })
    expect(jumps).toEqual(['d1'])
  })

  it('scrolls a far selection into view and renders rows around it only', () => {
    const { getByRole, getAllByTestId, selected } = mount()
    fireEvent.keyDown(getByRole('listbox'), { key: 'End' })
    expect(selected()).toBe('d9999')
    const ids = getAllByTestId('drift-row').map((r) => r.getAttribute('data-drift-id'))
    expect(ids).toContain('d9999')
    expect(ids).not.toContain('d0')
    expect(ids.length).toBeLessThan(40)
  })
})
