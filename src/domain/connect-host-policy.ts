/**
 * Which hosts vaultwire may call as Kafka Connect workers. A cluster's
 * `spec.connect_urls` make vaultwire send requests from inside its network, so
 * the addresses no Connect worker should have — loopback, link-local,
 * unspecified and the clouds' metadata services — are refused unless an
 * operator allows them, and an operator may narrow the hosts to a list.
 *
 * The same policy is checked when a URL is stored and again before every
 * request, on the addresses the host name resolves to (see the Connect client).
 */
import { err, ok, type Result } from "./result.js";

/** Where operators set the list, for messages. */
export const CONNECT_HOSTS_SETTING = "VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file)";

export type SpecialAddressClass = "loopback" | "link-local" | "unspecified" | "cloud metadata";

interface IpAddress {
  readonly version: 4 | 6;
  readonly value: bigint;
}

interface IpNetwork extends IpAddress {
  readonly prefix: number;
}

export interface ConnectHostPolicy {
  /** Exact host names (lowercase, no trailing dot). */
  readonly hostnames: ReadonlySet<string>;
  readonly networks: readonly IpNetwork[];
  /** The entries as normalised, for messages; empty means any host that is not special. */
  readonly entries: readonly string[];
}

/** No list: any host, except the special addresses. */
export const DEFAULT_CONNECT_HOST_POLICY: ConnectHostPolicy = { hostnames: new Set(), networks: [], entries: [] };

export type HostDecision = { readonly allowed: true } | { readonly allowed: false; readonly problem: string };

const ALLOWED: HostDecision = { allowed: true };

/** Most specific first: an address belongs to the first range that contains it. */
const SPECIAL_RANGES: readonly { readonly network: IpNetwork; readonly kind: SpecialAddressClass }[] = [
  ["169.254.169.254/32", "cloud metadata"], // AWS, Azure, GCP, OCI, DigitalOcean
  ["100.100.100.200/32", "cloud metadata"], // Alibaba Cloud
  ["fd00:ec2::254/128", "cloud metadata"], // AWS over IPv6
  ["127.0.0.0/8", "loopback"],
  ["::1/128", "loopback"],
  ["169.254.0.0/16", "link-local"],
  ["fe80::/10", "link-local"],
  ["0.0.0.0/8", "unspecified"],
  ["::/128", "unspecified"],
].map(([cidr, kind]) => ({ network: mustParseNetwork(cidr as string), kind: kind as SpecialAddressClass }));

const SPECIAL_HOSTNAMES: readonly { readonly matches: (name: string) => boolean; readonly kind: SpecialAddressClass }[] = [
  { matches: (name) => name === "localhost" || name.endsWith(".localhost"), kind: "loopback" },
  { matches: (name) => name === "metadata.google.internal", kind: "cloud metadata" },
];

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * Builds a policy from the operator's list of host names, IP addresses and
 * CIDRs (e.g. `connect-1.internal, 10.20.0.0/16, 127.0.0.1`). An empty list
 * allows any host that is not special.
 */
export function createConnectHostPolicy(entries: readonly string[]): Result<ConnectHostPolicy, string> {
  const hostnames = new Set<string>();
  const networks: IpNetwork[] = [];
  const normalised: string[] = [];
  for (const raw of entries) {
    const entry = raw.trim().toLowerCase();
    if (entry === "") continue;
    const network = parseNetwork(entry);
    if (network) {
      networks.push(network);
      normalised.push(entry);
      continue;
    }
    const name = withoutTrailingDots(entry);
    if (!HOSTNAME.test(name) || /^[0-9.]+$/.test(name)) {
      return err(`allowed Connect host "${raw.slice(0, 80)}" is not a host name, an IP address or a CIDR (e.g. connect-1.internal, 10.20.0.0/16, 127.0.0.1)`);
    }
    hostnames.add(name);
    normalised.push(name);
  }
  return ok({ hostnames, networks, entries: normalised });
}

/**
 * Whether a URL's host (`URL.hostname`: IPv6 in brackets, already normalised
 * by the WHATWG parser, so `0x7f000001` is `127.0.0.1`) may be called.
 */
export function checkConnectHost(policy: ConnectHostPolicy, hostname: string): HostDecision {
  const host = hostname.toLowerCase();
  const address = parseAddress(host);
  if (address) {
    const shown = formatHost(host);
    if (addressAllowed(policy, address)) return ALLOWED;
    const kind = specialClassOf(address);
    return { allowed: false, problem: kind === null ? notListed(policy, shown) : refusedSpecial(`${shown} is ${article(kind)} address`) };
  }
  const name = withoutTrailingDots(host);
  if (policy.entries.length > 0) {
    return policy.hostnames.has(name) ? ALLOWED : { allowed: false, problem: notListed(policy, `"${name}"`) };
  }
  const special = SPECIAL_HOSTNAMES.find((entry) => entry.matches(name));
  return special ? { allowed: false, problem: refusedSpecial(`"${name}" is ${article(special.kind)} address`) } : ALLOWED;
}

/**
 * Whether an address that `hostname` resolved to may be connected to. A host
 * allowed by name still may not reach a special address unless an IP or CIDR
 * entry allows that address: the name's DNS answer is not the operator's word.
 */
export function checkResolvedAddress(policy: ConnectHostPolicy, hostname: string, resolved: string): HostDecision {
  const address = parseAddress(resolved.toLowerCase());
  const name = `"${withoutTrailingDots(hostname.toLowerCase())}"`;
  if (!address) return { allowed: false, problem: `${name} resolves to something that is not an IP address` };
  const kind = specialClassOf(address);
  if (kind === null || addressAllowed(policy, address)) return ALLOWED;
  return { allowed: false, problem: refusedSpecial(`${name} resolves to ${article(kind)} address`) };
}

/** The special class of an IP address in text (IPv6 with or without brackets), or null. */
export function specialAddressClass(text: string): SpecialAddressClass | null {
  const address = parseAddress(text.toLowerCase());
  return address ? specialClassOf(address) : null;
}

export interface ConnectUrl {
  /** `scheme://host[:port]`, normalised (default port dropped, no trailing slash). */
  readonly url: string;
  /** As `URL.hostname` gives it (IPv6 in brackets). */
  readonly hostname: string;
}

/**
 * A Kafka Connect REST URL: http or https, a host and an optional port;
 * nothing else (a trailing slash is fine). The error is a sentence fragment
 * that follows "must be".
 */
export function parseConnectUrl(text: string): Result<ConnectUrl, string> {
  const problem = "an http:// or https:// URL without credentials, query or fragment and with no path: a host and an optional port, e.g. http://connect-1:8083";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return err(problem);
  }
  const clean = (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" && url.username === "" && url.password === ""
    && url.search === "" && url.hash === "" && url.pathname === "/" && !/[?#]/.test(text);
  return clean ? ok({ url: url.origin, hostname: url.hostname }) : err(problem);
}

/** Whether a URL (as stored) may be called under the policy; a URL that does not parse is refused. */
export function checkConnectUrl(policy: ConnectHostPolicy, text: string): HostDecision {
  const parsed = parseConnectUrl(text);
  if (!parsed.ok) return { allowed: false, problem: `${text.slice(0, 100)} is not a Kafka Connect URL vaultwire accepts` };
  return checkConnectHost(policy, parsed.value.hostname);
}

function refusedSpecial(what: string): string {
  return `${what}, which vaultwire refuses unless an operator allows it in ${CONNECT_HOSTS_SETTING}`;
}

function notListed(policy: ConnectHostPolicy, shown: string): string {
  return `${shown} is not one of the Kafka Connect hosts this server allows (${CONNECT_HOSTS_SETTING}: ${policy.entries.join(", ")})`;
}

function article(kind: SpecialAddressClass): string {
  return `${kind === "unspecified" ? "an" : "a"} ${kind}`;
}

function formatHost(host: string): string {
  return host.startsWith("[") ? host : host.includes(":") ? `[${host}]` : host;
}

function withoutTrailingDots(name: string): string {
  return name.replace(/\.+$/, "");
}

/**
 * With a list, an address must be in one of its networks; a special address
 * only through an entry that lies wholly within its special range, so that
 * `0.0.0.0/0` or `169.254.0.0/16` do not open loopback or the metadata service.
 */
function addressAllowed(policy: ConnectHostPolicy, address: IpAddress): boolean {
  const special = SPECIAL_RANGES.find((range) => contains(range.network, address));
  if (!special) return policy.entries.length === 0 || policy.networks.some((network) => contains(network, address));
  return policy.networks.some((network) => contains(network, address) && network.prefix >= special.network.prefix && contains(special.network, network));
}

function specialClassOf(address: IpAddress): SpecialAddressClass | null {
  return SPECIAL_RANGES.find((range) => contains(range.network, address))?.kind ?? null;
}

function contains(network: IpNetwork, address: IpAddress): boolean {
  if (network.version !== address.version) return false;
  const shift = BigInt((network.version === 4 ? 32 : 128) - network.prefix);
  return address.value >> shift === network.value >> shift;
}

function mustParseNetwork(text: string): IpNetwork {
  const network = parseNetwork(text);
  if (!network) throw new Error(`bad built-in network ${text}`);
  return network;
}

/** `a.b.c.d`, an IPv6 address (brackets allowed), or either with `/prefix`. */
function parseNetwork(text: string): IpNetwork | null {
  const slash = text.indexOf("/");
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash), true);
  if (!address) return null;
  const bits = address.version === 4 ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits) || Number(digits) > bits) return null;
    prefix = Number(digits);
  }
  // An IPv4-mapped network (::ffff:a.b.c.d/104) is the IPv4 network it maps.
  if (address.version === 6 && address.value >> 32n === 0xffffn && prefix >= 96) {
    return toNetwork({ version: 4, value: address.value & 0xffffffffn }, prefix - 96);
  }
  return toNetwork(address, prefix);
}

function toNetwork(address: IpAddress, prefix: number): IpNetwork {
  const shift = BigInt((address.version === 4 ? 32 : 128) - prefix);
  return { version: address.version, value: (address.value >> shift) << shift, prefix };
}

/**
 * An IPv4 address in dotted-decimal form or an IPv6 address; IPv4-mapped IPv6
 * addresses (`::ffff:127.0.0.1`, `::ffff:7f00:1`) become the IPv4 address they
 * map, since that is where a connection goes. `keepMapped` leaves them IPv6.
 */
function parseAddress(text: string, keepMapped = false): IpAddress | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { version: 4, value: v4 };
  const inner = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v6 = parseIPv6(inner.replace(/%[a-z0-9._~-]+$/i, ""));
  if (v6 === null) return null;
  if (!keepMapped && v6 >> 32n === 0xffffn) return { version: 4, value: v6 & 0xffffffffn };
  return { version: 6, value: v6 };
}

function parseIPv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(?:0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIPv6(text: string): bigint | null {
  if (!/^[0-9a-f:.]+$/i.test(text) || !text.includes(":")) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groups = (half: string | undefined): number[] | null => {
    if (half === undefined || half === "") return [];
    const out: number[] = [];
    const pieces = half.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIPv4(piece);
        if (v4 === null) return null;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        out.push(parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (head === null || tail === null) return null;
  // An embedded IPv4 address may only end the address.
  if (halves.length === 2 && halves[0]?.includes(".")) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.reduce((acc, group) => (acc << 16n) | BigInt(group), 0n);
}
