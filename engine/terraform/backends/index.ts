/** State backends: local files, S3, HTTP, HCP Terraform / TFE, and location strings naming any of them. */
export { displayUrl, type FetchOptions, type FetchResult, type StateSource } from './types.ts'
export { expandStatePaths, fileSource } from './files.ts'
export { httpSource, type HttpSourceOptions } from './http.ts'
export { s3Client, s3ObjectSource, s3Sources, type S3SourceOptions } from './s3.ts'
export { tfcSource, type TfcSourceOptions } from './tfc.ts'
export { isRemoteUri, loadStates, sourcesFromUri, type UriOptions } from './uri.ts'
