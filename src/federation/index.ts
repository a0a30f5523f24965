/** Public API of outbound federation. Other areas import from here, never from the individual files. */
export type { Cidr, AddressDecision, NetworkPolicy } from "./network-policy.js";
export {
  ALLOW_ALL_NETWORKS,
  DEFAULT_ALLOWED_NETWORKS,
  DEFAULT_DENIED_NETWORKS,
  createNetworkPolicy,
  defaultNetworkPolicy,
  parseCidr,
  parseCidrList,
} from "./network-policy.js";
export type { HostResolver, ResolvedAddress, SrvRecord } from "./resolver.js";
export { staticResolver, systemResolver } from "./resolver.js";
export type { FetchError, FetchLimits, FetchRequest, FetchResponse, SafeFetch, SafeFetchDeps } from "./safe-fetch.js";
export { DEFAULT_FETCH_LIMITS, createSafeFetch } from "./safe-fetch.js";
export type { ParsedServerName } from "./server-name.js";
export { parseServerName } from "./server-name.js";
export type { Discovery, DiscoveryDeps, DiscoveryError, FederationEndpoint, WellKnownCachePolicy } from "./discovery.js";
export { DEFAULT_WELL_KNOWN_CACHE, cacheLifetime, createDiscovery, parseHostOverrides } from "./discovery.js";
export { escapePathSegment, queryString } from "./path-escape.js";
export type {
  EventResponse,
  FederationClientDeps,
  FederationError,
  FederationLogger,
  MakeJoinResponse,
  RequestOptions,
  SendJoinResponse,
  StateIdsResponse,
  StateResponse,
  TransactionResponse,
} from "./client.js";
export { FederationClient } from "./client.js";
export type { KeyStore, ServerKey } from "./key-store.js";
export { MemoryKeyStore } from "./key-store.js";
export type { LearnedKey } from "./server-keys.js";
export { COMPROMISED_PUBLIC_KEY, checkServerKeys, isKeyValidAt } from "./server-keys.js";
export type { KeyError, KeyFetchClient, KeyLookupOptions, KeySource, KeyringDeps, NotaryConfig } from "./keyring.js";
export { Keyring, notaryFromConfig } from "./keyring.js";
