import { describe, expect, it } from "vitest";
import { checkConnectHost, checkConnectUrl, checkResolvedAddress, createConnectHostPolicy, DEFAULT_CONNECT_HOST_POLICY, parseConnectUrl, specialAddressClass, type ConnectHostPolicy } from "./connect-host-policy.js";

function policy(...entries: string[]): ConnectHostPolicy {
  const result = createConnectHostPolicy(entries);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

/** What the Connect URL `text` is refused as, under the policy, or "allowed". */
function verdict(text: string, hosts: ConnectHostPolicy = DEFAULT_CONNECT_HOST_POLICY): string {
  const decision = checkConnectUrl(hosts, text);
  return decision.allowed ? "allowed" : decision.problem;
}

describe("Kafka Connect URLs", () => {
  it.each([
    ["http://connect-1:8083", "http://connect-1:8083"],
    ["http://connect-1:8083/", "http://connect-1:8083"],
    ["HTTPS://Connect.Example:443/", "https://connect.example"],
    ["http://[2001:DB8::1]:8083", "http://[2001:db8::1]:8083"],
    ["http://10.0.0.7", "http://10.0.0.7"],
  ])("accepts %s as %s", (text, url) => {
    expect(parseConnectUrl(text)).toEqual({ ok: true, value: { url, hostname: new URL(text).hostname } });
  });

  it.each([
    "ftp://connect:21", "connect:8083", "http://admin:pw@connect:8083", "http://user@connect:8083", "http://connect:8083/api", "http://connect:8083//",
    "http://connect:8083/?x=1", "http://connect:8083?", "http://connect:8083/#top", "file:///etc/passwd", "http://", "",
  ])("refuses %j", (text) => {
    const result = parseConnectUrl(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("an http:// or https:// URL without credentials, query or fragment and with no path");
  });
});

describe("Connect host policy, by default", () => {
  it.each([
    ["http://127.0.0.1:8083", "127.0.0.1 is a loopback address"],
    ["http://127.8.9.10", "127.8.9.10 is a loopback address"],
    ["http://[::1]:22", "[::1] is a loopback address"],
    ["http://localhost:8083", "\"localhost\" is a loopback address"],
    ["http://LocalHost.:8083", "\"localhost\" is a loopback address"],
    ["http://connect.localhost", "\"connect.localhost\" is a loopback address"],
    ["http://169.254.169.254/", "169.254.169.254 is a cloud metadata address"],
    ["http://169.254.169.254.:80", "169.254.169.254 is a cloud metadata address"],
    ["http://100.100.100.200", "100.100.100.200 is a cloud metadata address"],
    ["http://[fd00:ec2::254]", "[fd00:ec2::254] is a cloud metadata address"],
    ["http://metadata.google.internal", "\"metadata.google.internal\" is a cloud metadata address"],
    ["http://metadata.google.internal.", "\"metadata.google.internal\" is a cloud metadata address"],
    ["http://169.254.10.1:8083", "169.254.10.1 is a link-local address"],
    ["http://[fe80::1]:8083", "[fe80::1] is a link-local address"],
    ["http://[febf::1]", "[febf::1] is a link-local address"],
    ["http://0.0.0.0:8083", "0.0.0.0 is an unspecified address"],
    ["http://[::]:8083", "[::] is an unspecified address"],
  ])("refuses %s: %s", (text, problem) => {
    expect(verdict(text)).toBe(`${problem}, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file)`);
  });

  // The WHATWG URL parser turns these into the canonical address before the policy sees them.
  it.each([
    ["http://0x7f000001:6379", "127.0.0.1", "loopback"],
    ["http://2130706433/", "127.0.0.1", "loopback"],
    ["http://0177.0.0.1", "127.0.0.1", "loopback"],
    ["http://127.1", "127.0.0.1", "loopback"],
    ["http://0", "0.0.0.0", "unspecified"],
    ["http://%31%32%37.0.0.1", "127.0.0.1", "loopback"],
    ["http://0xa9.0xfe.0xa9.0xfe", "169.254.169.254", "cloud metadata"],
    ["http://2852039166", "169.254.169.254", "cloud metadata"],
    ["http://[::ffff:127.0.0.1]:8083", "[::ffff:7f00:1]", "loopback"],
    ["http://[::ffff:7f00:1]", "[::ffff:7f00:1]", "loopback"],
    ["http://[0:0:0:0:0:ffff:169.254.169.254]", "[::ffff:a9fe:a9fe]", "cloud metadata"],
    ["http://[::ffff:0.0.0.0]", "[::ffff:0:0]", "unspecified"],
    ["http://[0:0:0:0:0:0:0:1]", "[::1]", "loopback"],
    ["http://[::ffff:169.254.3.4]", "[::ffff:a9fe:304]", "link-local"],
  ])("sees through %s (%s, %s)", (text, hostname, kind) => {
    expect(new URL(text).hostname).toBe(hostname);
    expect(verdict(text)).toContain(`${hostname} is ${kind === "unspecified" ? "an" : "a"} ${kind} address`);
  });

  it.each(["http://connect-1:8083", "https://connect.example.com", "http://10.1.2.3:8083", "http://192.168.0.5", "http://[2001:db8::5]:8083", "http://[::ffff:10.0.0.1]", "http://169.253.255.255", "http://128.0.0.1", "http://localhostx", "http://metadata.google.internal.example"])("allows %s", (text) => {
    expect(verdict(text)).toBe("allowed");
  });

  it("refuses a URL that does not parse", () => {
    expect(verdict("http://a:8083/x")).toBe("http://a:8083/x is not a Kafka Connect URL vaultwire accepts");
  });
});

describe("Connect host policy with an operator's list", () => {
  it("allows exactly the listed host names and networks", () => {
    const hosts = policy("Connect-1.Internal.", "10.20.0.0/16", "2001:db8::/32");
    expect(verdict("http://connect-1.internal:8083", hosts)).toBe("allowed");
    expect(verdict("http://connect-1.internal.:8083", hosts)).toBe("allowed");
    expect(verdict("http://10.20.255.1:8083", hosts)).toBe("allowed");
    expect(verdict("http://[2001:db8:1::1]:8083", hosts)).toBe("allowed");
    expect(verdict("http://[::ffff:10.20.0.1]:8083", hosts)).toBe("allowed");
    expect(verdict("http://connect-2.internal:8083", hosts)).toBe("\"connect-2.internal\" is not one of the Kafka Connect hosts this server allows (VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file): connect-1.internal, 10.20.0.0/16, 2001:db8::/32)");
    expect(verdict("http://10.21.0.1:8083", hosts)).toContain("10.21.0.1 is not one of the Kafka Connect hosts this server allows");
    expect(verdict("http://127.0.0.1:8083", hosts)).toContain("127.0.0.1 is a loopback address");
  });

  it("opens a special range only through an entry that lies within it", () => {
    const local = policy("127.0.0.1", "localhost", "::1");
    expect(verdict("http://127.0.0.1:8083", local)).toBe("allowed");
    expect(verdict("http://0x7f000001:8083", local)).toBe("allowed");
    expect(verdict("http://[::ffff:127.0.0.1]:8083", local)).toBe("allowed");
    expect(verdict("http://localhost:8083", local)).toBe("allowed");
    expect(verdict("http://localhost.:8083", local)).toBe("allowed");
    expect(verdict("http://[::1]:8083", local)).toBe("allowed");
    expect(verdict("http://127.0.0.2:8083", local)).toContain("127.0.0.2 is a loopback address");
    expect(verdict("http://169.254.169.254", local)).toContain("cloud metadata");

    expect(verdict("http://127.9.9.9", policy("127.0.0.0/8"))).toBe("allowed");
    expect(verdict("http://127.9.9.9", policy("0.0.0.0/0"))).toContain("loopback");
    expect(verdict("http://[::1]", policy("::/0"))).toContain("loopback");
    expect(verdict("http://169.254.169.254", policy("169.254.0.0/16"))).toContain("cloud metadata");
    expect(verdict("http://169.254.10.1", policy("169.254.0.0/16"))).toBe("allowed");
    expect(verdict("http://169.254.169.254", policy("169.254.169.254"))).toBe("allowed");
    expect(verdict("http://127.0.0.1", policy("::ffff:127.0.0.1"))).toBe("allowed");
    expect(verdict("http://127.0.0.5", policy("::ffff:127.0.0.0/104"))).toBe("allowed");
    expect(verdict("http://10.0.0.1", policy("0.0.0.0/0"))).toBe("allowed");
  });

  it.each(["127.0.0.1:8083", "http://connect:8083", "10.0.0.0/33", "::1/129", "010.0.0.1", "127.1", "a b", "conn*ect", "1.2.3.4/x"])("rejects the entry %j", (entry) => {
    const result = createConnectHostPolicy([entry]);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain("is not a host name, an IP address or a CIDR");
  });

  it("ignores blank entries and masks host bits of a CIDR", () => {
    const hosts = policy(" ", "10.1.2.3/8");
    expect(hosts.entries).toEqual(["10.1.2.3/8"]);
    expect(verdict("http://10.200.0.1", hosts)).toBe("allowed");
  });
});

describe("resolved addresses", () => {
  it("refuses a host name that resolves to a special address unless that address is allowed", () => {
    expect(checkResolvedAddress(DEFAULT_CONNECT_HOST_POLICY, "evil.example", "169.254.169.254")).toEqual({ allowed: false, problem: "\"evil.example\" resolves to a cloud metadata address, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file)" });
    expect(checkResolvedAddress(DEFAULT_CONNECT_HOST_POLICY, "evil.example.", "::ffff:127.0.0.1")).toMatchObject({ allowed: false, problem: expect.stringContaining("\"evil.example\" resolves to a loopback address") as unknown });
    expect(checkResolvedAddress(DEFAULT_CONNECT_HOST_POLICY, "evil.example", "fe80::1%eth0")).toMatchObject({ allowed: false });
    expect(checkResolvedAddress(DEFAULT_CONNECT_HOST_POLICY, "connect.example", "10.0.0.1")).toEqual({ allowed: true });
    expect(checkResolvedAddress(DEFAULT_CONNECT_HOST_POLICY, "connect.example", "2001:db8::1")).toEqual({ allowed: true });
    expect(checkResolvedAddress(DEFAULT_CONNECT_HOST_POLICY, "connect.example", "not-an-address")).toMatchObject({ allowed: false });
    // Allowing the name does not allow whatever it resolves to.
    const byName = policy("localhost");
    expect(checkConnectHost(byName, "localhost")).toEqual({ allowed: true });
    expect(checkResolvedAddress(byName, "localhost", "127.0.0.1")).toMatchObject({ allowed: false });
    expect(checkResolvedAddress(policy("localhost", "127.0.0.1", "::1"), "localhost", "127.0.0.1")).toEqual({ allowed: true });
    expect(checkResolvedAddress(policy("localhost", "127.0.0.1", "::1"), "localhost", "::1")).toEqual({ allowed: true });
  });

  it("classifies addresses", () => {
    expect(["127.0.0.1", "::1", "[::1]", "::ffff:7f00:1", "169.254.169.254", "fd00:ec2::254", "169.254.1.1", "fe80::", "0.0.0.0", "::", "10.0.0.1", "x"].map(specialAddressClass))
      .toEqual(["loopback", "loopback", "loopback", "loopback", "cloud metadata", "cloud metadata", "link-local", "link-local", "unspecified", "unspecified", null, null]);
  });
});
