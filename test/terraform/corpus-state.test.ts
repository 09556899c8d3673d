/**
 * Every state in the corpus (fixtures/tfstate and tfstate-legacy) parses, and what comes out agrees
 * with the MANIFEST.tsv the corpus was collected with (instance counts, key types, providers).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { corpusDir, requireCorpus } from '../support/corpus.ts'
import { parseState } from '../../engine/terraform/state.ts'
import { formatAddress, parseAddress } from '../../engine/terraform/address.ts'

const dir = requireCorpus()

function manifest(folder: string): Array<Record<string, string>> {
  const [head, ...rows] = readFileSync(join(dir!, folder, 'MANIFEST.tsv'), 'utf8').trim().split('\n')
  const cols = head!.split('\t')
  return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i]!, v])))
}

describe.runIf(corpusDir())('corpus: every tfstate parses', () => {
  for (const folder of ['tfstate', 'tfstate-legacy']) {
    const rows = dir ? manifest(folder) : []
    it(`${folder} has files`, () => {
      expect(rows.length).toBeGreaterThan(0)
      const onDisk = readdirSync(join(dir!, folder)).filter((f) => f.endsWith('.tfstate'))
      expect(onDisk.sort()).toEqual(rows.map((r) => r.file).sort())
    })
    for (const row of rows) {
      it(`${folder}/${row.file}`, () => {
        const snap = parseState(readFileSync(join(dir!, folder, row.file!)), { source: row.file! })
        expect(snap.kind).toBe('expected')
        expect(snap.state_version).toBe(Number(row.state_version))
        expect(snap.terraform_version).toBe(row.terraform_version)
        expect(snap.resources.length).toBe(Number(row.resource_instances))
        expect(snap.resources.filter((r) => r.mode === 'managed').length).toBe(Number(row.managed_instances))
        expect(new Set(snap.resources.filter((r) => r.mode === 'managed').map((r) => r.type)).size).toBe(Number(row.resource_types))
        const keyTypes = new Set(snap.resources.filter((r) => r.index_key !== undefined).map((r) => (typeof r.index_key === 'number' ? 'int' : 'str')))
        expect([...keyTypes].sort().join(',') || '-').toBe(row.index_key_types)
        const providers = row.providers!.split(',').map((p) => p.split('/').pop()!.replace(/^provider\./, ''))
        for (const r of snap.resources) {
          expect(providers).toContain(r.provider)
          // every address is canonical: parse → format round-trips, parts agree
          const p = parseAddress(r.address)
          expect(formatAddress(p)).toBe(r.address)
          expect([p.type, p.name, p.mode, p.module, p.index_key]).toEqual([r.type, r.name, r.mode, r.module, r.index_key])
          if (typeof r.attributes.id === 'string' && r.attributes.id) expect(r.resource_id).toBe(r.attributes.id)
          if (typeof r.attributes.arn === 'string' && r.attributes.arn) expect(r.arn).toBe(r.attributes.arn)
        }
        const keys = snap.resources.map((r) => `${r.address}|${r.deposed ?? ''}`)
        expect(new Set(keys).size).toBe(keys.length)
        for (const o of Object.values(snap.outputs ?? {})) if (o.sensitive) expect(o.value).toBe('(sensitive value)')
      })
    }
  }
})

describe.runIf(corpusDir())('corpus: the splitter and the one-piece parse agree', () => {
  for (const folder of ['tfstate', 'tfstate-legacy']) {
    const files = dir ? readdirSync(join(dir, folder)).filter((f) => f.endsWith('.tfstate')) : []
    it.each(files)(`${folder}/%s`, (f) => {
      const buf = readFileSync(join(dir!, folder, f))
      const opts = { source: f, takenAt: '2026-01-01T00:00:00.000Z' }
      expect(parseState(buf, { ...opts, splitAbove: 0 })).toEqual(parseState(buf, opts))
    })
  }
})

describe.runIf(corpusDir())('corpus: specific v4 features', () => {
  const read = (f: string) => parseState(readFileSync(join(dir!, 'tfstate', f)), { source: f })

  it('reads tainted instances', () => {
    const snap = read('ndahtems__hilltop-eks-project__eks__terraform.tfstate')
    expect(snap.resources.filter((r) => r.status === 'tainted').map((r) => r.type).sort()).toEqual(['aws_eks_cluster', 'aws_nat_gateway'])
  })

  it('reads sensitive_attributes incl. index steps', () => {
    const snap = read('mcpalek__aks-with-modules__aks__terraform.tfstate.backup.tfstate')
    const aks = snap.resources.find((r) => r.type === 'azurerm_kubernetes_cluster')!
    expect(aks.address).toBe('module.maks.azurerm_kubernetes_cluster.default')
    expect(aks.module).toBe('module.maks')
    expect(aks.sensitive_paths).toContainEqual(['service_principal', 0, 'client_secret'])
    expect(aks.sensitive_paths).toContainEqual(['kube_config_raw'])
    expect(aks.sensitive_paths).toHaveLength(5)
  })

  it('reads identity (Terraform 1.12+)', () => {
    const snap = read('Wendiblac__Project-Bedrock__eks__terraform.tfstate')
    const withIdentity = snap.resources.filter((r) => r.identity)
    expect(withIdentity.length).toBe(7)
    expect(withIdentity[0]!.identity).toHaveProperty('account_id', '585008052023')
  })

  it('reads check_results and string for_each keys', () => {
    const snap = read('misaellr__n8n-application__terraform__terraform.tfstate')
    expect(snap.check_results!.length).toBeGreaterThan(0)
    const gcp = read('CSYE6225NetworkStructuresDivya__tf-gcp-infra__infra__terraform.tfstate')
    expect(gcp.resources.map((r) => r.address)).toContain('google_compute_network.vpc_name["cloud-vpc1"]')
  })

  it('reads 0.12 provider.aws addresses', () => {
    const snap = read('Kong__kong-terraform-aws__kong__terraform.tfstate.backup.tfstate')
    expect(snap.resources.every((r) => ['aws', 'random'].includes(r.provider))).toBe(true)
    expect(snap.resources.some((r) => r.provider_address === 'provider.aws')).toBe(true)
  })

  it('keeps dependencies', () => {
    const snap = read('huzaifa678__Crypto-currency-web-app-project__terraform__terraform.tfstate.backup.tfstate')
    const withDeps = snap.resources.filter((r) => r.dependencies?.length)
    expect(withDeps.length).toBeGreaterThan(10)
    for (const r of withDeps) for (const d of r.dependencies!) expect(() => parseAddress(d)).not.toThrow()
  })
})

describe.runIf(corpusDir())('corpus: legacy v3 unflattening', () => {
  it('nests flatmap lists, sets and maps and keeps leaf strings', () => {
    const f = 'pubaayaam__infrastructure-as-code-training__terraform-example-basic__terraform.tfstate.cp.tfstate'
    const snap = parseState(readFileSync(join(dir!, 'tfstate-legacy', f)), { source: f })
    const r = snap.resources[0]!
    expect(r.address).toBe('aws_instance.example')
    expect(r.provider).toBe('aws')
    expect(r.resource_id).toBe('i-0409fc6042a0e4ac5')
    expect(r.arn).toBe('arn:aws:ec2:ap-south-1:058566949740:instance/i-0409fc6042a0e4ac5')
    expect(r.attributes.tags).toEqual({ Name: 'example' })
    expect(r.attributes.volume_tags).toEqual({})
    expect(r.attributes.security_groups).toEqual(['default'])
    expect(r.attributes.vpc_security_group_ids).toEqual(['sg-bb2ec1d0'])
    expect(r.attributes.ebs_block_device).toEqual([])
    expect(r.attributes.root_block_device).toEqual([{ delete_on_termination: 'true', encrypted: 'false', iops: '100', kms_key_id: '', volume_id: 'vol-05a4561efdd87525c', volume_size: '8', volume_type: 'gp2' }])
    expect(r.attributes.credit_specification).toEqual([{ cpu_credits: 'standard' }])
    expect(r.schema_version).toBe(1)
    expect(Object.keys(r.attributes).some((k) => k.includes('.'))).toBe(false)
  })

  it('no flatmap markers survive in any legacy state', () => {
    for (const f of readdirSync(join(dir!, 'tfstate-legacy')).filter((f) => f.endsWith('.tfstate'))) {
      const snap = parseState(readFileSync(join(dir!, 'tfstate-legacy', f)), { source: f })
      const walk = (v: unknown): void => {
        if (v && typeof v === 'object') for (const [k, c] of Object.entries(v)) {
          expect(k.endsWith('.#') || k.endsWith('.%') || k === '#' || k === '%').toBe(false)
          walk(c)
        }
      }
      for (const r of snap.resources) walk(r.attributes)
    }
  })
})
