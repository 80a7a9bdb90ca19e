/**
 * OCI registries and artifacts, as any part of drkit reads them: references and the
 * distribution API's URLs, a reader with time limits and digest checks, and Flux's unpacking of
 * a gzipped tarball layer.
 */
export {
  formatOciUrl,
  ociBlobUrl,
  ociManifestUrl,
  ociMediaTypes,
  ociTagsUrl,
  parseOciUrl,
  registrySchemes,
  renderRegistryError,
  type OciRepositoryRef,
} from "./reference.ts";
export {
  createRegistryReader,
  describeNetworkError,
  RegistryError,
  sha256Digest,
  type Fetch,
  type OciDescriptor,
  type OciManifest,
  type RegistryFailure,
  type RegistryReader,
  type RegistryReaderOptions,
} from "./registry-client.ts";
export {
  gunzipLayer,
  memberPath,
  parseTar,
  TarError,
  writeTarMembers,
  type TarMember,
  type Unpacked,
} from "./untar.ts";
