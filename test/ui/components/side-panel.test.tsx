import { fireEvent, render } from '@solidjs/testing-library'
import { describe, expect, it, vi } from 'vitest'
import { SidePanel, type SidePanelProps } from '../../../ui/src/app/SidePanel.tsx'
import type { Drift, Remediation } from '../../../ui/src/data/types.ts'

const drift: Drift = {
  id: 'drift-1', kind: 'modified', address: 'aws_security_group.web', type: 'aws_security_group', provider: 'aws',
  severity: 'critical', detected_at: '2026-01-01T00:00:00Z', status: 'open',
  changes: [
    { path: 'ingress.0.cidr_blocks', expected: ['10.0.0.0/8'], actual: ['0.0.0.0/0'], sensitive: false },
    { path: 'tags.Secret', expected: '(sensitive)', actual: '(sensitive)', sensitive: true },
  ],
  actor: { user: 'alice', arn: 'arn:aws:sts::123456789012:assumed-role/Ops/alice-session', source_ip: '203.0.113.7', user_agent: 'aws-cli/2.15', event_name: 'AuthorizeSecurityGroupIngress' },
}
const plan: Remediation = { id: 'rem-1', drift_id: 'drift-1', strategy: 'revert', content: 'terraform apply -target=aws_security_group.web', summary: 'Revert the ingress rule', status: 'proposed', created_at: '2026-01-01T00:00:00Z' }

function props(overrides: Partial<SidePanelProps> = {}): SidePanelProps {
  return {
    node: { id: 'aws_security_group.web', label: 'aws_security_group.web', type: 'aws_security_group', provider: 'aws' },
    drifts: [drift], remediations: [plan], resource: { address: 'aws_security_group.web', type: 'aws_security_group', name: 'web', provider: 'aws', attributes: { name: 'web', password: '(sensitive)' } },
    events: [{ id: 'e1', source: 'cloudtrail', time: '2026-01-01T00:00:00Z', event_name: 'AuthorizeSecurityGroupIngress' }],
    impact: { dependencies: [{ id: 'aws_vpc.main', label: 'aws_vpc.main' }], dependents: [{ id: 'aws_instance.web', label: 'aws_instance.web' }] },
    canAdmin: false,
    onClose: vi.fn(), onJump: vi.fn(), onApprove: vi.fn(async () => {}), onReject: vi.fn(async () => {}), onDriftAction: vi.fn(async () => {}),
    ...overrides,
  }
}

describe('SidePanel', () => {
  it('shows expected vs actual as the API sent them, and the actor', () => {
    const { getByTestId, getAllByTestId } = render(() => <SidePanel {...props()} />)
    expect(getByTestId('panel')).toBeTruthy()
    const rows = getAllByTestId('change-row')
    expect(rows).toHaveLength(2)
    expect(rows[0]!.querySelector('[data-testid=expected]')!.textContent).toBe('["10.0.0.0/8"]')
    expect(rows[0]!.querySelector('[data-testid=actual]')!.textContent).toBe('["0.0.0.0/0"]')
    // Masked values are shown as masked, never unmasked by the client.
    expect(rows[1]!.querySelector('[data-testid=actual]')!.textContent).toBe('(sensitive)')
    expect(getByTestId('actor-user').textContent).toBe('alice')
    expect(getByTestId('actor-session').textContent).toBe('alice-session')
    expect(getByTestId('actor-ip').textContent).toBe('203.0.113.7')
    expect(getByTestId('actor-agent').textContent).toBe('aws-cli/2.15')
    expect(getByTestId('timeline').textContent).toContain('AuthorizeSecurityGroupIngress')
    expect(getByTestId('impact-dependents').textContent).toContain('aws_instance.web')
    expect(getByTestId('attributes').textContent).toContain('(sensitive)')
  })

  it('hides approve/reject and the drift workflow for a read token', () => {
    const { queryByTestId, getByTestId } = render(() => <SidePanel {...props({ canAdmin: false })} />)
    expect(getByTestId('remediation')).toBeTruthy()
    expect(queryByTestId('approve')).toBeNull()
    expect(queryByTestId('reject')).toBeNull()
    expect(queryByTestId('drift-acknowledge')).toBeNull()
  })

  it('offers approve/reject to admins; reject needs a reason', async () => {
    const p = props({ canAdmin: true })
    const { getByTestId } = render(() => <SidePanel {...p} />)
    fireEvent.click(getByTestId('approve'))
    expect(p.onApprove).toHaveBeenCalledWith('rem-1')
    await new Promise((r) => setTimeout(r, 0))
    fireEvent.click(getByTestId('reject'))
    const confirm = getByTestId('reject-confirm') as HTMLButtonElement
    expect(confirm.disabled).toBe(true)
    fireEvent.submit(confirm.closest('form')!)
    expect(p.onReject).not.toHaveBeenCalled()
    fireEvent.input(getByTestId('reject-reason'), { target: { value: 'opens SSH to the world' } })
    expect(confirm.disabled).toBe(false)
    fireEvent.click(confirm)
    fireEvent.submit(confirm.closest('form')!)
    expect(p.onReject).toHaveBeenCalledWith('rem-1', 'opens SSH to the world')
    expect(getByTestId('drift-acknowledge')).toBeTruthy()
  })
})
