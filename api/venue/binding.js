// Whether the ID card presented is the holder's: its number, normalised as
// domain/identity.py does, hashes with scrypt (N=256, r=8, p=1, 8 bytes) under the
// credential's salt to the binding the credential carries (signing.verify.holder_matches).
// The credential never holds the number; the page keeps neither the number nor the answer.
//
// scrypt (RFC 7914) is written here on WebCrypto's PBKDF2-HMAC-SHA256: about sixty lines of
// Salsa20/8, BlockMix and ROMix, rather than a vendored library for one call per card.

const N = 256;
const R = 8;
const DK_LEN = 8;
const WEIGHTS = Array.from({ length: 17 }, (_, i) => 2 ** (17 - i) % 11);
const CHECK = "10X98765432";

// The canonical number (NFKC, no whitespace, upper case; a resident ID's check character
// and date of birth checked), or null when it cannot be one.
export function canonicalResidentId(number) {
  let canonical = number.normalize("NFKC").split(/\s+/u).join("");
  if (!canonical || !/^[\x00-\x7f]*$/.test(canonical)) return null;
  canonical = canonical.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(canonical)) return null;
  const sum = [...canonical.slice(0, 17)].reduce((n, d, i) => n + Number(d) * WEIGHTS[i], 0);
  if (canonical[17] !== CHECK[sum % 11]) return null;
  const [y, m, d] = [canonical.slice(6, 10), canonical.slice(10, 12), canonical.slice(12, 14)].map(Number);
  const born = new Date(Date.UTC(y, m - 1, d));
  if (born.getUTCFullYear() !== y || born.getUTCMonth() !== m - 1 || born.getUTCDate() !== d) return null;
  return canonical;
}

async function pbkdf2(password, salt, length) {
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations: 1 }, key, length * 8));
}

function salsa208(b) { // b: Uint32Array(16), in place
  const x = b.slice();
  const rotl = (v, n) => (v << n) | (v >>> (32 - n));
  for (let i = 0; i < 8; i += 2) {
    x[4] ^= rotl(x[0] + x[12], 7); x[8] ^= rotl(x[4] + x[0], 9);
    x[12] ^= rotl(x[8] + x[4], 13); x[0] ^= rotl(x[12] + x[8], 18);
    x[9] ^= rotl(x[5] + x[1], 7); x[13] ^= rotl(x[9] + x[5], 9);
    x[1] ^= rotl(x[13] + x[9], 13); x[5] ^= rotl(x[1] + x[13], 18);
    x[14] ^= rotl(x[10] + x[6], 7); x[2] ^= rotl(x[14] + x[10], 9);
    x[6] ^= rotl(x[2] + x[14], 13); x[10] ^= rotl(x[6] + x[2], 18);
    x[3] ^= rotl(x[15] + x[11], 7); x[7] ^= rotl(x[3] + x[15], 9);
    x[11] ^= rotl(x[7] + x[3], 13); x[15] ^= rotl(x[11] + x[7], 18);
    x[1] ^= rotl(x[0] + x[3], 7); x[2] ^= rotl(x[1] + x[0], 9);
    x[3] ^= rotl(x[2] + x[1], 13); x[0] ^= rotl(x[3] + x[2], 18);
    x[6] ^= rotl(x[5] + x[4], 7); x[7] ^= rotl(x[6] + x[5], 9);
    x[4] ^= rotl(x[7] + x[6], 13); x[5] ^= rotl(x[4] + x[7], 18);
    x[11] ^= rotl(x[10] + x[9], 7); x[8] ^= rotl(x[11] + x[10], 9);
    x[9] ^= rotl(x[8] + x[11], 13); x[10] ^= rotl(x[9] + x[8], 18);
    x[12] ^= rotl(x[15] + x[14], 7); x[13] ^= rotl(x[12] + x[15], 9);
    x[14] ^= rotl(x[13] + x[12], 13); x[15] ^= rotl(x[14] + x[13], 18);
  }
  for (let i = 0; i < 16; i++) b[i] = (b[i] + x[i]) >>> 0;
}

function blockMix(input) { // 2r blocks of 16 words
  const out = new Uint32Array(32 * R);
  const x = input.slice((2 * R - 1) * 16, 2 * R * 16);
  for (let i = 0; i < 2 * R; i++) {
    for (let k = 0; k < 16; k++) x[k] ^= input[i * 16 + k];
    salsa208(x);
    out.set(x, ((i % 2) * R + (i >> 1)) * 16); // even blocks first, then odd ones
  }
  return out;
}

export async function scrypt(password, salt) {
  const b = await pbkdf2(password, salt, 128 * R);
  const view = new DataView(b.buffer);
  let x = new Uint32Array(32 * R);
  for (let i = 0; i < x.length; i++) x[i] = view.getUint32(i * 4, true);
  const v = new Array(N);
  for (let i = 0; i < N; i++) {
    v[i] = x;
    x = blockMix(x);
  }
  for (let i = 0; i < N; i++) {
    const j = x[(2 * R - 1) * 16] % N;
    const mixed = x.slice();
    for (let k = 0; k < mixed.length; k++) mixed[k] ^= v[j][k];
    x = blockMix(mixed);
  }
  for (let i = 0; i < x.length; i++) view.setUint32(i * 4, x[i], true);
  return pbkdf2(password, b, DK_LEN);
}

// true, false, or null when the text is not a resident ID number at all.
export async function holderMatches(claims, number) {
  const canonical = canonicalResidentId(number);
  if (canonical === null) return null;
  const hash = await scrypt(new TextEncoder().encode(canonical), claims.bindingSalt);
  return hash.length === claims.binding.length && hash.every((byte, i) => byte === claims.binding[i]);
}
