/**
 * Issues X.509 v3 certificates with node:crypto and a minimal DER writer:
 * just what a local CA, a localhost server certificate and app client
 * certificates need (names, validity, basic constraints, key usage, extended
 * key usage, subject alternative names, key identifiers). ECDSA P-256 or RSA
 * keys, signed with SHA-256.
 *
 * (@peculiar/x509 would do this too, but it needs a global Reflect polyfill
 * and loads slowly; this keeps the emulator's start-up under a second.)
 */
import { createHash, generateKeyPair, randomBytes, sign, type KeyObject } from "node:crypto";
import { isIP } from "node:net";
import { promisify } from "node:util";

export interface DistinguishedName {
  readonly commonName: string;
  readonly organization?: string;
}

export interface CertificateRequest {
  readonly subject: DistinguishedName;
  readonly publicKey: KeyObject;
  /** Omitted: self-signed with `signingKey`. */
  readonly issuer?: { readonly name: DistinguishedName; readonly publicKey: KeyObject };
  readonly signingKey: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCertificateAuthority?: boolean;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly extendedKeyUsages?: readonly ("serverAuth" | "clientAuth")[];
  /** Hex; random when omitted. */
  readonly serialNumber?: string;
}

const OID = {
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  basicConstraints: "2.5.29.19",
  keyUsage: "2.5.29.15",
  extendedKeyUsage: "2.5.29.37",
  subjectAltName: "2.5.29.17",
  subjectKeyIdentifier: "2.5.29.14",
  authorityKeyIdentifier: "2.5.29.35",
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  sha256WithRsa: "1.2.840.113549.1.1.11",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** Key usage bits, numbered as in RFC 5280 (bit 0 is the most significant). */
const KEY_USAGE = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 } as const;

export function issueCertificate(request: CertificateRequest): string {
  const issuerName = request.issuer?.name ?? request.subject;
  const issuerKey = request.issuer?.publicKey ?? request.publicKey;
  const signatureAlgorithm = algorithmIdentifier(request.signingKey);
  const spki = request.publicKey.export({ type: "spki", format: "der" });
  const isCa = request.isCertificateAuthority ?? false;
  const extensions = [
    extension(OID.basicConstraints, true, sequence(isCa ? [boolean(true), integer(Buffer.from([0]))] : [])),
    extension(OID.keyUsage, true, bitStringOfFlags(isCa ? [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] : keyUsageFor(request.publicKey))),
    extension(OID.subjectKeyIdentifier, false, octetString(keyIdentifier(request.publicKey))),
    extension(OID.authorityKeyIdentifier, false, sequence([tagged(0x80, keyIdentifier(issuerKey))])),
  ];
  if (request.extendedKeyUsages && request.extendedKeyUsages.length > 0) {
    extensions.push(extension(OID.extendedKeyUsage, false, sequence(request.extendedKeyUsages.map((usage) => oid(OID[usage])))));
  }
  const altNames = [
    ...(request.dnsNames ?? []).map((name) => tagged(0x82, Buffer.from(name, "ascii"))),
    ...(request.ipAddresses ?? []).map((address) => tagged(0x87, ipBytes(address))),
  ];
  if (altNames.length > 0) extensions.push(extension(OID.subjectAltName, false, sequence(altNames)));

  const tbs = sequence([
    tagged(0xa0, integer(Buffer.from([2]))),
    integer(Buffer.from(request.serialNumber ?? randomSerial(), "hex")),
    signatureAlgorithm,
    name(issuerName),
    sequence([time(request.notBefore), time(request.notAfter)]),
    name(request.subject),
    spki,
    tagged(0xa3, sequence(extensions)),
  ]);
  const signature = sign("sha256", tbs, request.signingKey);
  const der = sequence([tbs, signatureAlgorithm, bitString(signature)]);
  return toPem("CERTIFICATE", der);
}

export function toPem(label: string, der: Buffer): string {
  return `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{1,64}/g, "$&\n")}-----END ${label}-----\n`;
}

const generate = promisify(generateKeyPair);

/**
 * A self-signed client certificate and its private key (PKCS#8 PEM), e.g. to
 * register on an app with `addCertificate` and use with
 * ClientCertificateCredential (which signs with RSA, so RSA is the default).
 */
export async function createSelfSignedCertificate(options: { commonName: string; keyType?: "rsa" | "ec"; validDays?: number }): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const { publicKey, privateKey } = options.keyType === "ec"
    ? await generate("ec", { namedCurve: "prime256v1" })
    : await generate("rsa", { modulusLength: 2048 });
  const now = Date.now();
  const certificatePem = issueCertificate({
    subject: { commonName: options.commonName },
    publicKey,
    signingKey: privateKey,
    notBefore: new Date(now - 3_600_000),
    notAfter: new Date(now + (options.validDays ?? 365) * 86_400_000),
    extendedKeyUsages: ["clientAuth"],
  });
  return { certificatePem, privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString() };
}

function keyUsageFor(key: KeyObject): number[] {
  return key.asymmetricKeyType === "rsa" ? [KEY_USAGE.digitalSignature, KEY_USAGE.keyEncipherment] : [KEY_USAGE.digitalSignature];
}

function algorithmIdentifier(signingKey: KeyObject): Buffer {
  const type = signingKey.asymmetricKeyType;
  if (type === "ec") return sequence([oid(OID.ecdsaWithSha256)]);
  if (type === "rsa") return sequence([oid(OID.sha256WithRsa), Buffer.from([0x05, 0x00])]);
  throw new Error(`cannot sign certificates with a ${type ?? "unknown"} key`);
}

function keyIdentifier(key: KeyObject): Buffer {
  return createHash("sha1").update(key.export({ type: "spki", format: "der" })).digest();
}

function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}

function ipBytes(address: string): Buffer {
  const version = isIP(address);
  if (version === 4) return Buffer.from(address.split(".").map(Number));
  if (version !== 6) throw new Error(`"${address}" is not an IP address`);
  const [head = "", tail = ""] = address.split("::");
  const groups = (part: string): number[] => (part === "" ? [] : part.split(":").map((g) => parseInt(g, 16)));
  const left = groups(head);
  const right = address.includes("::") ? groups(tail) : [];
  const all = [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const bytes = Buffer.alloc(16);
  all.forEach((group, i) => { bytes.writeUInt16BE(group, i * 2); });
  return bytes;
}

// --- DER -------------------------------------------------------------------

function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else if (length < 0x100) header = Buffer.from([tag, 0x81, length]);
  else if (length < 0x10000) header = Buffer.from([tag, 0x82, length >> 8, length & 0xff]);
  else header = Buffer.from([tag, 0x83, length >> 16, (length >> 8) & 0xff, length & 0xff]);
  return Buffer.concat([header, content]);
}

function sequence(items: readonly Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function set(items: readonly Buffer[]): Buffer {
  return tlv(0x31, Buffer.concat(items));
}

function tagged(tag: number, content: Buffer): Buffer {
  return tlv(tag, content);
}

function boolean(value: boolean): Buffer {
  return tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
}

/** A non-negative INTEGER from big-endian bytes. */
function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function octetString(bytes: Buffer): Buffer {
  return tlv(0x04, bytes);
}

function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

/** A named-bit BIT STRING (DER drops trailing zero bits). */
function bitStringOfFlags(bits: readonly number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] ?? 0) | (0x80 >> (bit % 8));
  return bitString(bytes, 7 - (highest % 8));
}

function oid(dotted: string): Buffer {
  const arcs = dotted.split(".").map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const bytes = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function name(dn: DistinguishedName): Buffer {
  const attribute = (type: string, value: string): Buffer => set([sequence([oid(type), tlv(0x0c, Buffer.from(value, "utf8"))])]);
  return sequence([
    ...(dn.organization === undefined ? [] : [attribute(OID.organization, dn.organization)]),
    attribute(OID.commonName, dn.commonName),
  ]);
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString(); // 2024-05-01T12:34:56.789Z
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), "ascii")) : tlv(0x18, Buffer.from(digits, "ascii"));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence([oid(id), ...(critical ? [boolean(true)] : []), octetString(value)]);
}
