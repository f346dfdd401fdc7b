// The offline verifier in the browser: a port of signing/verify.py and signing/bundle.py.
// The same checks in the same order, the same reason codes, the same caps; the service
// decision is decision.js, reading the venue rules the signed bundle carries. A shared file
// of test vectors (tests/venue/vectors.json) holds this and the Python verifier to the same
// verdicts.

import { b45decode } from "./base45.js";
import { CborError, Tagged, bstrHead, decode, plain } from "./cbor.js";
import { VenueIndex, decide, ServiceError, businessDate, isoOfDays } from "./decision.js";

export const PREFIX = "TC1:";
export const MAX_TEXT_CHARS = 2000;
export const MAX_COSE_BYTES = 2000;
export const MAX_STATUS_TOKEN_BYTES = 2_000_000;
export const MAX_STATUS_LIST_BYTES = 4_194_304;
export const MAX_VENUE_RULES_BYTES = 2_000_000;
export const MAX_PACKED_BYTES = 64_000_000;
export const DEFAULT_SKEW_SECONDS = 300;

const TRUST_LIST_TYPE = "application/talentcard-trust+cwt";
const VENUE_RULES_TYPE = "application/talentcard-venue-rules+cwt";
const STATUS_LIST_TYPE = "application/statuslist+cwt";
const ACCEPTED_ALGS = new Set([-19, -8]);
const SCHEMES = new Map([[1, "shandong"], [2, "weihai"], [3, "liaocheng"], [4, "jinan"]]);
const RELATIONS = new Map([[1, "spouse"], [2, "child"], [3, "parent"], [4, "spouse_parent"]]);
const URI = /^[A-Za-z][A-Za-z0-9+.\-]*:\S+$/;
const SEGMENT = /^[a-z0-9][a-z0-9_-]{0,63}$/;
const TOP_FILES = ["root.pub", "trust-list.cwt", "venue-rules.cwt"];

// Status values (draft-ietf-oauth-status-list §7.1): 0 VALID, 1 INVALID (revoked),
// 2 SUSPENDED, and 3, application specific, SUPERSEDED: a card amended after issuance has a
// newer credential, and this one holds for the holder (and a companion) only.
export const REVOKED = 1;
export const SUSPENDED = 2;
export const SUPERSEDED = 3;
export const SUPERSEDED_NOTE = "superseded by a newer credential after a change to the people it names:"
  + " it grants the holder (and a companion) only, no family member";
export const SUPERSEDED_REFUSAL = "this credential was replaced by a newer one after a change to the people"
  + " it names: it grants no family member anything; the holder must present the current credential";

export class BundleError extends Error {}
class Refusal extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

export const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
};
const isUint = (v) => Number.isInteger(v) && v >= 0;

// ---- Ed25519: WebCrypto where the browser has it, else the vendored @noble/ed25519 ------

let engine = null;

export async function signatureEngine() {
  if (engine) return engine;
  try {
    // Feature detection with a real key (the base point's encoding is a valid public key).
    const probe = new Uint8Array(32);
    probe[0] = 0x58;
    probe.fill(0x66, 1);
    await crypto.subtle.importKey("raw", probe, { name: "Ed25519" }, false, ["verify"]);
    const keys = new Map();
    engine = {
      name: "WebCrypto",
      async verify(publicKey, signature, message) {
        const id = hex(publicKey);
        let key = keys.get(id);
        if (!key) {
          key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]);
          keys.set(id, key);
        }
        return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
      },
    };
  } catch {
    const noble = await import("./vendor/noble-ed25519.js");
    engine = {
      name: "@noble/ed25519",
      async verify(publicKey, signature, message) {
        try {
          // RFC 8032 strict, as OpenSSL in the Python verifier (not ZIP-215's laxer rules).
          return await noble.verifyAsync(signature, message, publicKey, { zip215: false });
        } catch {
          return false;
        }
      },
    };
  }
  return engine;
}

// ---- zlib with a cap: DecompressionStream('deflate') is RFC 1950 --------------------

async function inflate(bytes, cap) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    let step;
    try {
      step = await reader.read();
    } catch {
      throw new Refusal("bad_format", "not valid zlib data (truncated, padded or corrupt)");
    }
    if (step.done) break;
    total += step.value.length;
    if (total > cap) {
      reader.cancel().catch(() => {});
      throw new Refusal("too_large", `inflates past ${cap} bytes`);
    }
    chunks.push(step.value);
  }
  return concat(...chunks);
}

// ---- COSE_Sign1 ---------------------------------------------------------------------

function parseSign1(data) {
  let item;
  try {
    item = decode(data);
  } catch (e) {
    throw new Refusal("bad_format", `not CBOR: ${e.message}`);
  }
  if (item instanceof Tagged && item.tag === 61) item = item.value;
  if (item instanceof Tagged && item.tag === 18) item = item.value;
  if (!Array.isArray(item) || item.length !== 4) throw new Refusal("bad_format", "not a COSE_Sign1 array of four");
  const [protectedBytes, unprotected, payload, signature] = item;
  if (!(protectedBytes instanceof Uint8Array && unprotected instanceof Map
    && payload instanceof Uint8Array && signature instanceof Uint8Array)) {
    throw new Refusal("bad_format", "COSE_Sign1 members have the wrong types");
  }
  let headers = new Map();
  if (protectedBytes.length) {
    try {
      headers = decode(protectedBytes);
    } catch (e) {
      throw new Refusal("bad_format", `protected header is not CBOR: ${e.message}`);
    }
    if (!(headers instanceof Map)) throw new Refusal("bad_format", "protected header is not a map");
  }
  const kid = headers.has(4) ? headers.get(4) : unprotected.get(4);
  return {
    protectedBytes, headers, payload, signature,
    kid: kid instanceof Uint8Array ? kid : null,
    async verify(publicKey) {
      if (!ACCEPTED_ALGS.has(headers.get(1))) return false;
      if (signature.length !== 64) return false;
      const head = Uint8Array.of(0x84, 0x6a, ...new TextEncoder().encode("Signature1"));
      const toBeSigned = concat(head, bstrHead(protectedBytes.length), protectedBytes,
        Uint8Array.of(0x40), bstrHead(payload.length), payload);
      return (await signatureEngine()).verify(publicKey, signature, toBeSigned);
    },
  };
}

async function rootSignedClaims(data, root, type, what) {
  let message;
  try {
    message = parseSign1(data);
  } catch (e) {
    throw new BundleError(`${what}: ${e.message}`);
  }
  if (message.headers.get(16) !== type) throw new BundleError(`${what}: not a ${type} document`);
  if (!(await message.verify(root))) throw new BundleError(`${what} signature does not verify with the root key`);
  try {
    const claims = decode(message.payload);
    if (!(claims instanceof Map)) throw new CborError("not a map");
    return claims;
  } catch (e) {
    throw new BundleError(`${what} content is malformed: ${e.message}`);
  }
}

// ---- the bundle -----------------------------------------------------------------------

export function unpack(data) {
  if (data.length > MAX_PACKED_BYTES) throw new BundleError(`the bundle file is over ${MAX_PACKED_BYTES} bytes`);
  let files;
  try {
    files = decode(data);
  } catch (e) {
    throw new BundleError(`the bundle file is not CBOR: ${e.message}`);
  }
  if (!(files instanceof Map) || ![...files].every(([k, v]) => typeof k === "string" && v instanceof Uint8Array)) {
    throw new BundleError("the bundle file is not a map of file names to byte strings");
  }
  for (const name of files.keys()) {
    const parts = name.split("/");
    const sound = TOP_FILES.includes(name) || (parts.length === 3 && parts[0] === "status"
      && parts[2].endsWith(".cwt") && SEGMENT.test(parts[1]) && SEGMENT.test(parts[2].slice(0, -4)));
    if (!sound) throw new BundleError(`the bundle names an unexpected file ${JSON.stringify(name.slice(0, 80))}`);
  }
  return files;
}

export function parseStatusUri(uri) {
  const at = uri.lastIndexOf("/status-lists/");
  if (at <= 0) return null;
  const parts = uri.slice(at + "/status-lists/".length).split("/");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return parts;
}

// The bundle's files verified: the root key, the trust list, the venue rules (any fault
// refuses the bundle) and each status list (a fault sets that list aside as a problem).
export async function readBundle(data) {
  const files = unpack(data);
  for (const name of TOP_FILES) if (!files.has(name)) throw new BundleError(`the bundle lacks ${name}`);
  const rootHex = new TextDecoder().decode(files.get("root.pub")).trim();
  if (!/^[0-9a-f]{64}$/i.test(rootHex)) throw new BundleError("root.pub is not a 32-byte hex key");
  const root = Uint8Array.from(rootHex.match(/../g).map((h) => parseInt(h, 16)));
  const trustClaims = await rootSignedClaims(files.get("trust-list.cwt"), root, TRUST_LIST_TYPE, "trust list");
  const trust = trustList(trustClaims);
  const rulesBytes = files.get("venue-rules.cwt");
  if (rulesBytes.length > MAX_VENUE_RULES_BYTES) throw new BundleError(`venue rules are over ${MAX_VENUE_RULES_BYTES} bytes`);
  const rulesClaims = await rootSignedClaims(rulesBytes, root, VENUE_RULES_TYPE, "venue rules");
  const rules = plain(rulesClaims.get(-65538));
  if (!rules || typeof rules !== "object" || rules.format !== 1 || typeof rules.cities !== "object") {
    throw new BundleError("venue rules are malformed or of an unknown format");
  }
  rules.issued_at = uint(rulesClaims.get(6), "venue rules iat");
  rules.expires_at = uint(rulesClaims.get(4), "venue rules exp");
  const statusLists = new Map();
  const problems = [];
  for (const name of [...files.keys()].filter((n) => n.startsWith("status/")).sort()) {
    const [, authority, file] = name.split("/");
    const listId = file.slice(0, -4);
    try {
      const token = await readStatusList(files.get(name), authority, listId, trust);
      statusLists.set(`${authority}/${listId}`, token);
    } catch (e) {
      problems.push({ file: name, problem: e.message, authority });
    }
  }
  return {
    root, rootId: hex(root).slice(0, 16), trust, rules, statusLists, problems,
    index: new VenueIndex(rules),
    statusList(uri) {
      const parsed = parseStatusUri(uri);
      const token = parsed ? statusLists.get(parsed.join("/")) : undefined;
      return token && token.uri === uri ? token : null;
    },
  };
}

function uint(value, what) {
  if (!isUint(value)) throw new BundleError(`${what} is missing or not an unsigned integer`);
  return value;
}

function trustList(claims) {
  const keys = claims.get(-65537);
  if (!Array.isArray(keys)) throw new BundleError("trust list content is malformed: no keys");
  const list = {
    issuedAt: uint(claims.get(6), "trust list iat"),
    expiresAt: uint(claims.get(4), "trust list exp"),
    keys: new Map(),
  };
  for (const entry of keys) {
    const k = entry instanceof Map ? entry : new Map();
    const key = {
      kid: k.get("kid"), publicKey: k.get("public_key"), authority: k.get("authority"),
      schemes: k.get("schemes"), notBefore: k.get("not_before"),
      signsUntil: k.get("signs_until"), retiredAt: k.get("retired_at"),
    };
    const optional = (v) => v === null || isUint(v);
    if (!(key.kid instanceof Uint8Array && key.publicKey instanceof Uint8Array && key.publicKey.length === 32
      && typeof key.authority === "string" && Array.isArray(key.schemes) && isUint(key.notBefore)
      && optional(key.signsUntil) && optional(key.retiredAt))) {
      throw new BundleError("trust list content is malformed: a key has the wrong shape");
    }
    list.keys.set(hex(key.kid), key);
  }
  return list;
}

async function readStatusList(data, authority, listId, trust) {
  if (data.length > MAX_STATUS_TOKEN_BYTES) throw new Error(`too_large: token is over ${MAX_STATUS_TOKEN_BYTES} bytes`);
  if (data[0] !== 0xd2) throw new Error("bad_format: not a COSE_Sign1_Tagged");
  const message = parseSign1(data);
  if (message.headers.get(16) !== STATUS_LIST_TYPE) throw new Error(`bad_format: typ is not ${STATUS_LIST_TYPE}`);
  const claims = decode(message.payload);
  if (!(claims instanceof Map)) throw new Error("bad_format: payload is not a claims map");
  const uri = claims.get(2);
  if (typeof uri !== "string" || !URI.test(uri)) throw new Error("bad_format: sub (2) is not a URI");
  const [issuedAt, expiresAt, ttl] = [6, 4, 65534].map((c) => {
    if (!isUint(claims.get(c))) throw new Error(`bad_format: claim ${c} is missing or not an unsigned integer`);
    return claims.get(c);
  });
  if (expiresAt <= issuedAt) throw new Error("bad_format: exp (4) is not after iat (6)");
  if (ttl === 0) throw new Error("bad_format: ttl (65534) is not positive");
  const list = claims.get(65533);
  if (!(list instanceof Map) || ![...list.keys()].every((k) => ["bits", "lst", "aggregation_uri"].includes(k))) {
    throw new Error("bad_format: status_list (65533) is not a map of bits and lst");
  }
  const bits = list.get("bits");
  const lst = list.get("lst");
  if (![1, 2, 4, 8].includes(bits)) throw new Error("bad_format: bits is not 1, 2, 4 or 8");
  if (!(lst instanceof Uint8Array) || !lst.length) throw new Error("bad_format: lst is not a byte string");
  if (list.has("aggregation_uri") && typeof list.get("aggregation_uri") !== "string") {
    throw new Error("bad_format: aggregation_uri is not a text string");
  }
  let raw;
  try {
    raw = await inflate(lst, MAX_STATUS_LIST_BYTES);
  } catch (e) {
    throw new Error(`${e.reason || "bad_format"}: ${e.message}`);
  }
  if (!raw.length) throw new Error("bad_format: status list is empty");
  const parsed = parseStatusUri(uri);
  if (!parsed || parsed[0] !== authority || parsed[1] !== listId) {
    throw new Error(`the list at ${uri} is filed as status/${authority}/${listId}.cwt`);
  }
  const signer = trust.keys.get(hex(message.kid || new Uint8Array()));
  if (!signer || signer.authority !== authority) throw new Error(`not signed by ${authority}'s key`);
  if (signer.retiredAt !== null) throw new Error(`signed by the retired key ${hex(signer.kid)}`);
  if (!(await message.verify(signer.publicKey))) throw new Error("signature does not verify");
  return {
    uri, issuedAt, expiresAt, ttl, bits, size: (raw.length * 8) / bits,
    status(index) {
      if (!isUint(index) || index >= this.size) throw new Refusal("bad_format", `status list ${uri}: index ${index} is outside the list`);
      const bit = index * bits;
      const value = (raw[bit >> 3] >> (bit & 7)) & ((1 << bits) - 1);
      if (value > SUPERSEDED) throw new Refusal("bad_format", `status list ${uri}: unknown status value ${value}`);
      return value;
    },
  };
}

// ---- the credential ---------------------------------------------------------------------

async function fromText(text) {
  text = text.trim();
  if (text.length > MAX_TEXT_CHARS) throw new Refusal("too_large", `token text is over ${MAX_TEXT_CHARS} characters`);
  if (!text.startsWith(PREFIX)) throw new Refusal("bad_format", `token does not start with ${PREFIX}`);
  let compressed;
  try {
    compressed = b45decode(text.slice(PREFIX.length));
  } catch {
    throw new Refusal("bad_format", "token is not valid base45");
  }
  return inflate(compressed, MAX_COSE_BYTES);
}

const DAY = 86_400;
const OFFSET = 8 * 3600; // Asia/Shanghai, a fixed UTC+8
const businessDay = (seconds) => isoOfDays(Math.floor((seconds + OFFSET) / DAY));

function decodeClaims(payload) {
  try {
    const cwt = decode(payload);
    if (!(cwt instanceof Map)) throw new Error("claims are not a map");
    const card = cwt.get(-65537);
    if (!Array.isArray(card) || (card.length !== 7 && card.length !== 8)) throw new Error("card claim is not an array of 7 or 8");
    const [format, scheme, tier, name, binding, category, issuedOn, family = []] = card;
    if (format !== 2) throw new Error(`credential format ${format} is not 2`);
    if (!SCHEMES.has(scheme) || typeof tier !== "string" || typeof name !== "string"
      || !(binding instanceof Uint8Array) || binding.length <= 8
      || !(category === null || typeof category === "string")
      || !(issuedOn === null || Number.isInteger(issuedOn)) || !Array.isArray(family)) {
      throw new Error("card claim members have the wrong types");
    }
    const status = cwt.get(65535);
    const ref = status instanceof Map ? status.get("status_list") : null;
    if (!(ref instanceof Map) || !isUint(ref.get("idx")) || typeof ref.get("uri") !== "string" || !URI.test(ref.get("uri"))) {
      throw new Error("status claim is malformed");
    }
    const issuer = cwt.get(1);
    const cti = cwt.get(7);
    if (typeof issuer !== "string" || !(cti instanceof Uint8Array) || cti.length !== 16) throw new Error("iss or cti has the wrong type");
    const nbf = cwt.get(5);
    const exp = cwt.get(4);
    const iat = cwt.get(6);
    // exp absent or null: a card with no end (as signing/credential.py reads it).
    const noEnd = exp === undefined || exp === null;
    if (!isUint(nbf) || !isUint(iat) || !(noEnd || isUint(exp))) throw new Error("nbf, exp or iat is not a non-negative integer");
    const validFrom = businessDay(nbf);
    const members = family.map((m) => {
      if (!Array.isArray(m) || m.length !== 5 || !RELATIONS.has(m[0]) || typeof m[1] !== "string"
        || !(m[2] === null || Number.isInteger(m[2])) || !(m[3] === null || Number.isInteger(m[3])) || !(m[4] instanceof Map)) {
        throw new Error("a family member has the wrong shape");
      }
      const ages = new Map();
      for (const [age, days] of m[4]) {
        if (!Number.isInteger(age) || !Number.isInteger(days)) throw new Error("a family member's ages are malformed");
        ages.set(age, isoOfDays(days));
      }
      return {
        relation: RELATIONS.get(m[0]), name: m[1],
        minorUntil: m[2] === null ? null : isoOfDays(m[2]),
        marriageAgeUntil: m[3] === null ? null : isoOfDays(m[3]),
        ageFrom: ages,
      };
    });
    const h = hex(cti);
    return {
      cardId: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`,
      issuer, scheme: SCHEMES.get(scheme), tier, holderName: name, category,
      bindingSalt: binding.subarray(0, 8), binding: binding.subarray(8),
      validFrom, validUntil: noEnd ? null : businessDay(exp - 1),
      issuedOn: issuedOn === null ? validFrom : isoOfDays(issuedOn),
      family: members, statusUri: ref.get("uri"), statusIndex: ref.get("idx"),
      notBefore: nbf, expiresAt: noEnd ? null : exp, issuedAt: iat,
    };
  } catch (e) {
    throw new Refusal("bad_format", `credential claims are malformed: ${e.message}`);
  }
}

// ---- verify -----------------------------------------------------------------------------

// Check a TC1: token against the bundle at `now` (Unix seconds): {valid, reason, detail,
// claims, superseded}. The checks and their order are signing/verify.py's; `superseded`
// (the status list reads SUPERSEDED) is set on every answer from the status check on, and
// then grants() gives no family member anything.
export async function verify(token, bundle, { now, skew = DEFAULT_SKEW_SECONDS } = {}) {
  let claims = null;
  let superseded = false;
  const refuse = (reason, detail) => ({ valid: false, reason, detail, claims, superseded });
  try {
    const message = parseSign1(await fromText(token));
    const key = bundle.trust.keys.get(hex(message.kid || new Uint8Array()));
    if (!key) return refuse("unknown_key", "the signing key is not on the trust list");
    if (key.retiredAt !== null && now >= key.retiredAt) return refuse("unknown_key", `the signing key ${hex(key.kid)} is retired`);
    if (!(await message.verify(key.publicKey))) return refuse("bad_signature", "the signature does not verify");
    claims = decodeClaims(message.payload);
    if (!key.schemes.includes(claims.scheme)) return refuse("key_not_valid_for_scheme", `${key.authority}'s key may not issue ${claims.scheme} cards`);
    if (claims.issuedAt < key.notBefore || (key.signsUntil !== null && claims.issuedAt >= key.signsUntil)) {
      return refuse("bad_signature", "signed outside the key's signing window");
    }
    if (now + skew < claims.notBefore) return refuse("not_yet_valid", `valid from ${claims.validFrom}`);
    if (claims.expiresAt !== null && now - skew >= claims.expiresAt) return refuse("expired", `expired after ${claims.validUntil}`);
    const list = bundle.statusList(claims.statusUri);
    if (!list) {
      const problem = bundle.problems.find((p) => p.file === statusFile(claims.statusUri));
      return refuse("status_list_unavailable", problem
        ? `status list ${claims.statusUri} (${problem.file}) is unusable: ${problem.problem}`
        : `the bundle has no status list ${claims.statusUri}`);
    }
    const code = list.status(claims.statusIndex);
    if (code === SUSPENDED) return refuse("suspended", "the card is suspended");
    if (code === REVOKED) return refuse("revoked", "the card was revoked");
    superseded = code === SUPERSEDED;
    if (now - skew > bundle.trust.expiresAt) return refuse("trust_list_expired", `the trust list expired ${now - bundle.trust.expiresAt} s ago`);
    if (now - skew > list.issuedAt + list.ttl || now - skew > list.expiresAt) {
      return refuse("status_list_stale", `status list ${list.uri} is ${now - list.issuedAt} s old, past its ttl of ${list.ttl} s: refresh the bundle`);
    }
    const detail = `genuine, in force, not revoked${superseded ? `; ${SUPERSEDED_NOTE}` : ""}`;
    return { valid: true, reason: "ok", detail, claims, superseded };
  } catch (e) {
    if (e instanceof Refusal) return refuse(e.reason, e.message);
    throw e;
  }
}

function statusFile(uri) {
  const parsed = parseStatusUri(uri);
  return parsed ? `status/${parsed[0]}/${parsed[1]}.cwt` : null;
}

// The people a card's service items may be asked for: the holder, each family member the
// credential names (family:N), a companion. holderPresent null: the venue has not said.
export function people(claims) {
  return [
    { id: "holder", kind: "holder", name: claims.holderName },
    ...claims.family.map((m, i) => ({
      id: `family:${i + 1}`, kind: m.relation, name: m.name,
      minorUntil: m.minorUntil, marriageAgeUntil: m.marriageAgeUntil, ageFrom: m.ageFrom,
    })),
    { id: "companion", kind: "companion", name: null },
  ];
}

// Every item of `venue`'s catalogue for every person, as signing.verify's service answer
// would give it: {item, name, person, granted, rules, requires, reason, code}; `code` is
// "superseded" for a family member of a superseded credential (verify's `superseded`),
// who is granted nothing, else "ok" or "service_not_granted". `holderPresent` is true,
// false or null (the venue has not said). Throws Refusal("venue_rules_expired") past the
// rules' expiry.
export function grants(bundle, claims, venue, { now, skew = DEFAULT_SKEW_SECONDS, holderPresent = null, superseded = false } = {}) {
  if (now - skew > bundle.rules.expires_at) {
    throw new Refusal("venue_rules_expired", `the venue rules expired ${now - bundle.rules.expires_at} s ago`);
  }
  const city = bundle.rules.cities[venue];
  if (!city) return [];
  const day = businessDate(now);
  const answers = [];
  for (const person of people(claims)) {
    const family = person.kind !== "holder" && person.kind !== "companion";
    for (const code of Object.keys(city.items)) {
      const name = city.items[code].name_en;
      if (superseded && family) {
        answers.push({ item: code, name, person: person.id, granted: false, rules: [], requires: [], reason: SUPERSEDED_REFUSAL, code: "superseded" });
        continue;
      }
      try {
        const a = decide(bundle.index, claims, code, { ...person, holderPresent }, day, venue);
        answers.push({ item: code, name, person: person.id, granted: a.granted, rules: a.rules, requires: a.requires, reason: a.reason, code: a.granted ? "ok" : "service_not_granted" });
      } catch (e) {
        if (!(e instanceof ServiceError)) throw e;
        answers.push({ item: code, name, person: person.id, granted: false, rules: [], requires: [], reason: e.message, code: "service_not_granted" });
      }
    }
  }
  return answers;
}

export { Refusal };
