import { afterEach, describe, expect, it } from 'vitest'
import type { ChildProcess } from 'node:child_process'
import { tempProject } from '../config/helpers.ts'
import { runCli, startCli } from './support.ts'

const cleanups: Array<() => void> = []
afterEach(() => { while (cleanups.length) cleanups.pop()!() })

function waitForJsonLine(child: ChildProcess, test: (line: Record<string, any>) => boolean): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    let buffer = ''
    let stderr = ''
    child.stderr!.on('data', (d) => { stderr += d })
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        try {
          const parsed = JSON.parse(line)
          if (test(parsed)) resolve(parsed)
        } catch { /* not JSON */ }
      }
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code}; stderr: ${stderr}`)))
  })
}

describe('tfdrift tap against a real relay', () => {
  it('prints the envelopes published to the relay, replayed from --since 0', async () => {
    const project = tempProject({})
    cleanups.push(project.cleanup)
    const token = 'tap-relay-test-token'
    const relay = startCli(['relay', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir, env: { TFDRIFT_TOKEN: token } })
    const running = await waitForJsonLine(relay, (l) => l.msg === 'tfdrift relay running.')
    const url = `http://127.0.0.1:${running.port}`

    for (const n of [1, 2]) {
      const response = await fetch(`${url}/api/v1/publish`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ topic: 'drifts', type: 'drift.detected', data: { id: `drift_000000000000000${n}`, kind: 'missing', address: `aws_s3_bucket.logs[${n}]`, type: 'aws_s3_bucket', provider: 'aws', severity: 'high', detected_at: '2026-01-01T00:00:00.000Z', status: 'open' } }),
      })
      expect(response.status, await response.clone().text()).toBeLessThan(300)
    }

    const tap = await runCli(['tap', 'drifts', '--url', url, '--since', '0', '--limit', '2'], { env: { TFDRIFT_TOKEN: token } })
    expect(tap.stderr).toBe('')
    expect(tap.code).toBe(0)
    const envelopes = tap.stdout.trim().split('\n').map((l) => JSON.parse(l))
    expect(envelopes.map((e) => [e.topic, e.type, e.offset, e.data.address, e.tenant])).toEqual([
      ['drifts', 'drift.detected', 1, 'aws_s3_bucket.logs[1]', 'default'],
      ['drifts', 'drift.detected', 2, 'aws_s3_bucket.logs[2]', 'default'],
    ])

    const refused = await runCli(['tap', 'drifts', '--url', url, '--token', 'wrong-token', '--limit', '1'])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('[TFD_ERR_TAP_STREAM]')
  })
})
