import { promises as dns } from "node:dns";

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** One SRV record, as `node:dns` returns it. */
export interface SrvRecord {
  readonly name: string;
  readonly port: number;
  readonly priority: number;
  readonly weight: number;
}

/**
 * The DNS operations outbound traffic needs. It is a parameter everywhere so tests answer from a table and never
 * touch real DNS. `resolveSrv` rejects with an error whose `code` is `ENOTFOUND` or `ENODATA` when the name has no
 * SRV records, as `node:dns` does; discovery depends on that distinction (federation.md §8.2 step 4).
 */
export interface HostResolver {
  lookup(hostname: string): Promise<ResolvedAddress[]>;
  resolveSrv(name: string): Promise<SrvRecord[]>;
}

/** The production resolver: the system resolver for addresses (as the OS would connect) and DNS for SRV. */
export function systemResolver(): HostResolver {
  return {
    async lookup(hostname) {
      const all = await dns.lookup(hostname, { all: true, verbatim: true });
      return all.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    },
    resolveSrv: (name) => dns.resolveSrv(name),
  };
}

/**
 * A resolver answering from fixed tables, for tests and for private federations without DNS. Unknown names reject
 * with `ENOTFOUND` like the real resolver.
 */
export function staticResolver(tables: {
  readonly hosts?: Readonly<Record<string, readonly string[]>>;
  readonly srv?: Readonly<Record<string, readonly SrvRecord[]>>;
}): HostResolver {
  const notFound = (name: string): Error => Object.assign(new Error(`${name} not found`), { code: "ENOTFOUND" });
  return {
    lookup(hostname) {
      const addresses = tables.hosts?.[hostname];
      if (addresses === undefined) return Promise.reject(notFound(hostname));
      return Promise.resolve(addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 })));
    },
    resolveSrv(name) {
      const records = tables.srv?.[name];
      if (records === undefined) return Promise.reject(notFound(name));
      return Promise.resolve([...records]);
    },
  };
}
