/**
 * S3 (REST-XML, global list): buckets with their tags, and `aws_s3_bucket_versioning` from GetBucketVersioning.
 * A bucket whose versioning cannot be read (AccessDenied) makes the versioning type not covered; the
 * buckets still are.
 */
import { GetBucketTaggingCommand, GetBucketVersioningCommand, ListBucketsCommand, type ListBucketsCommandOutput } from '@aws-sdk/client-s3'
import { observed, send, tagMap, type Collector } from '../resource.ts'
import { isAccessDenied } from '../errors.ts'

const code = (e: unknown) => (e as { name?: string })?.name

export const s3Collectors: Collector[] = [
  {
    name: 's3:buckets', types: ['aws_s3_bucket', 'aws_s3_bucket_versioning'], global: true,
    async collect(scope, out) {
      const buckets: Array<{ name: string; region?: string }> = []
      let token: string | undefined
      do {
        const page = await send<'s3', ListBucketsCommandOutput>(scope, 's3', new ListBucketsCommand({ MaxBuckets: 1000, ContinuationToken: token }))
        for (const b of page.Buckets ?? []) if (b.Name) buckets.push({ name: b.Name, region: b.BucketRegion })
        token = page.ContinuationToken
      } while (token)
      let versioningOk = true
      await Promise.all(buckets.map(async ({ name, region }) => {
        const at = region ?? scope.region
        let tags: Record<string, string> | undefined = {}
        try {
          const t = await send<'s3', { TagSet?: unknown }>(scope, 's3', new GetBucketTaggingCommand({ Bucket: name }), at)
          tags = tagMap(t.TagSet) ?? {}
        } catch (error) {
          if (code(error) === 'NoSuchTagSet') tags = {}
          else if (isAccessDenied(error)) tags = undefined // not read: not compared
          else throw error
        }
        out.add(observed('aws_s3_bucket', name, { arn: `arn:aws:s3:::${name}`, bucket: name, tags_all: tags }))
        if (!versioningOk) return
        try {
          const v = await send<'s3', { Status?: string; MFADelete?: string }>(scope, 's3', new GetBucketVersioningCommand({ Bucket: name }), at)
          // Terraform's aws_s3_bucket_versioning exists only once versioning was ever set.
          if (v.Status) {
            out.add(observed('aws_s3_bucket_versioning', name, {
              bucket: name, versioning_configuration: [{ status: v.Status, mfa_delete: v.MFADelete ?? 'Disabled' }],
            }))
          }
        } catch (error) {
          versioningOk = false
          out.fail('aws_s3_bucket_versioning', error)
        }
      }))
    },
  },
]
