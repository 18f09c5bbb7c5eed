/**
 * Resource ids, Confluent style: a kind prefix, a dash and a random lowercase
 * alphanumeric suffix (`env-…`, `lkc-…`, `lcc-…`, `cspi-…`, service accounts
 * `sa-…`, role bindings `rb-…`).
 */

export const ID_PREFIXES = {
  environment: "env",
  kafkaCluster: "lkc",
  connector: "lcc",
  providerIntegration: "cspi",
  workerCredential: "wcr",
  eventSubscription: "evs",
  serviceAccount: "sa",
  roleBinding: "rb",
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** Suffix length of generated ids: 36^8 ≈ 2.8e12 values. */
export const GENERATED_SUFFIX_LENGTH = 8;
/** Longest suffix accepted from users (Confluent's own ids are shorter). */
export const MAX_SUFFIX_LENGTH = 64;

const ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
/** Bytes at or above this are rejected so that every symbol is equally likely. */
const UNBIASED_LIMIT = 256 - (256 % ALPHABET.length);

/** A source of cryptographically secure random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

/**
 * Web Crypto's CSPRNG, present in Node 20 and every browser, so this module
 * stays free of Node built-ins.
 */
export const secureRandomBytes: RandomBytes = (length) => globalThis.crypto.getRandomValues(new Uint8Array(length));

/** A new id of the given kind, e.g. `lcc-7k2m9qzd`. */
export function newId(kind: IdKind, randomBytes: RandomBytes = secureRandomBytes): string {
  let suffix = "";
  while (suffix.length < GENERATED_SUFFIX_LENGTH) {
    for (const byte of randomBytes(GENERATED_SUFFIX_LENGTH * 2)) {
      if (byte >= UNBIASED_LIMIT) continue;
      suffix += ALPHABET.charAt(byte % ALPHABET.length);
      if (suffix.length === GENERATED_SUFFIX_LENGTH) break;
    }
  }
  return `${ID_PREFIXES[kind]}-${suffix}`;
}

const ID_PATTERNS: Record<IdKind, RegExp> = {
  environment: idPattern(ID_PREFIXES.environment),
  kafkaCluster: idPattern(ID_PREFIXES.kafkaCluster),
  connector: idPattern(ID_PREFIXES.connector),
  providerIntegration: idPattern(ID_PREFIXES.providerIntegration),
  workerCredential: idPattern(ID_PREFIXES.workerCredential),
  eventSubscription: idPattern(ID_PREFIXES.eventSubscription),
  serviceAccount: idPattern(ID_PREFIXES.serviceAccount),
  roleBinding: idPattern(ID_PREFIXES.roleBinding),
};

function idPattern(prefix: string): RegExp {
  return new RegExp(`^${prefix}-[a-z0-9]{1,${MAX_SUFFIX_LENGTH}}$`);
}

/** Whether `value` is a well-formed id of the given kind. */
export function isId(kind: IdKind, value: string): boolean {
  return ID_PATTERNS[kind].test(value);
}
