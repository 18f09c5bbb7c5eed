/**
 * The emulator's key material in its state directory: a self-signed CA
 * (`ca.pem`, `ca-key.pem`) and a server certificate it signs for localhost,
 * 127.0.0.1 and ::1 (`server.pem`, `server-key.pem`), all ECDSA P-256, and the
 * RSA keys that sign tokens. Files are reused when present (so restarts are
 * fast and clients keep trusting `ca.pem`); the server certificate is
 * re-issued from the same CA when it is about to expire.
 */
import { X509Certificate, createPrivateKey, generateKeyPair, randomBytes, type KeyObject } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { issueCertificate, type DistinguishedName } from "./x509-builder.js";

export interface TlsFiles {
  readonly caCertPem: string;
  readonly caCertPath: string;
  readonly serverCertPem: string;
  readonly serverKeyPem: string;
}

const CA_NAME: DistinguishedName = { commonName: "vaultwire Azure emulator local CA", organization: "vaultwire" };
const DAY_MS = 86_400_000;
const CA_DAYS = 3650;
const SERVER_DAYS = 365;
/** Re-issue the server certificate when it has less than this left. */
const RENEW_BEFORE_DAYS = 7;

const generate = promisify(generateKeyPair);

export async function ensureTlsFiles(stateDir: string, now: Date = new Date()): Promise<TlsFiles> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const paths = {
    caCert: join(stateDir, "ca.pem"),
    caKey: join(stateDir, "ca-key.pem"),
    serverCert: join(stateDir, "server.pem"),
    serverKey: join(stateDir, "server-key.pem"),
  };
  const [caCertPem, caKeyPem, serverCertPem, serverKeyPem] = await Promise.all([paths.caCert, paths.caKey, paths.serverCert, paths.serverKey].map(readIfPresent));
  if (caCertPem !== undefined && serverCertPem !== undefined && serverKeyPem !== undefined && isServerCertUsable(caCertPem, serverCertPem, now)) {
    return { caCertPem, caCertPath: paths.caCert, serverCertPem, serverKeyPem };
  }
  let ca: { pem: string; privateKey: KeyObject; publicKey: KeyObject };
  if (caCertPem !== undefined && caKeyPem !== undefined && isCaUsable(caCertPem, now)) {
    ca = { pem: caCertPem, privateKey: createPrivateKey(caKeyPem), publicKey: new X509Certificate(caCertPem).publicKey };
  } else {
    const keys = await generate("ec", { namedCurve: "prime256v1" });
    const pem = issueCertificate({
      subject: CA_NAME,
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      notBefore: new Date(now.getTime() - DAY_MS),
      notAfter: new Date(now.getTime() + CA_DAYS * DAY_MS),
      isCertificateAuthority: true,
    });
    ca = { pem, ...keys };
    await writeAtomically(paths.caKey, keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString(), 0o600);
    await writeAtomically(paths.caCert, pem, 0o644);
  }
  const server = await generate("ec", { namedCurve: "prime256v1" });
  const serverPem = issueCertificate({
    subject: { commonName: "localhost", organization: "vaultwire" },
    publicKey: server.publicKey,
    issuer: { name: CA_NAME, publicKey: ca.publicKey },
    signingKey: ca.privateKey,
    notBefore: new Date(now.getTime() - DAY_MS),
    notAfter: new Date(now.getTime() + SERVER_DAYS * DAY_MS),
    dnsNames: ["localhost"],
    ipAddresses: ["127.0.0.1", "::1"],
    extendedKeyUsages: ["serverAuth"],
  });
  const serverKey = server.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  await writeAtomically(paths.serverKey, serverKey, 0o600);
  await writeAtomically(paths.serverCert, serverPem, 0o644);
  return { caCertPem: ca.pem, caCertPath: paths.caCert, serverCertPem: serverPem, serverKeyPem: serverKey };
}

/** An RSA-2048 private key kept in `stateDir/fileName` (PKCS#8 PEM, 0600); created when absent or unreadable. */
export async function ensureRsaKey(stateDir: string, fileName: string): Promise<KeyObject> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = join(stateDir, fileName);
  const pem = await readIfPresent(path);
  if (pem !== undefined) {
    try {
      const key = createPrivateKey(pem);
      if (key.asymmetricKeyType === "rsa") return key;
    } catch {
      // unreadable: replaced below
    }
  }
  const { privateKey } = await generate("rsa", { modulusLength: 2048 });
  await writeAtomically(path, privateKey.export({ type: "pkcs8", format: "pem" }).toString(), 0o600);
  return privateKey;
}

/** Write-then-rename, so a concurrent reader never sees half a file. */
async function writeAtomically(path: string, content: string, mode: number): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, content, { mode });
  await rename(temporary, path);
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function isCaUsable(caCertPem: string, now: Date): boolean {
  try {
    const ca = new X509Certificate(caCertPem);
    return ca.ca && new Date(ca.validTo).getTime() - SERVER_DAYS * DAY_MS > now.getTime();
  } catch {
    return false;
  }
}

function isServerCertUsable(caCertPem: string, serverCertPem: string, now: Date): boolean {
  try {
    const ca = new X509Certificate(caCertPem);
    const server = new X509Certificate(serverCertPem);
    const renewAt = new Date(server.validTo).getTime() - RENEW_BEFORE_DAYS * DAY_MS;
    return server.verify(ca.publicKey) && server.checkHost("localhost") !== undefined && now.getTime() < renewAt && new Date(server.validFrom).getTime() <= now.getTime();
  } catch {
    return false;
  }
}
