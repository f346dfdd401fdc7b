// A minimal, strict CBOR decoder (RFC 8949) for what the registry signs: integers, byte and
// text strings, arrays, maps, tags, false/true/null and floats. Definite lengths only (the
// registry's encoder, cbor2, writes no other), integers within JavaScript's safe range, text
// that is valid UTF-8, at most 64 levels deep, exactly one item with nothing after it.
// Anything else throws CborError: these bytes come from a QR code or a downloaded file.
//
// Maps decode to JavaScript Maps (keys keep their type: the registry's claims have integer
// keys), tags to {tag, value}, byte strings to Uint8Array views over the input.

export class CborError extends Error {}

const utf8 = new TextDecoder("utf-8", { fatal: true });
const MAX_DEPTH = 64;

export class Tagged {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

export function decode(bytes) {
  if (!(bytes instanceof Uint8Array)) throw new CborError("not bytes");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;

  function need(n) {
    if (at + n > bytes.length) throw new CborError("truncated");
  }

  function argument(info) {
    if (info < 24) return info;
    if (info === 24) { need(1); return bytes[at++]; }
    if (info === 25) { need(2); const v = view.getUint16(at); at += 2; return v; }
    if (info === 26) { need(4); const v = view.getUint32(at); at += 4; return v; }
    if (info === 27) {
      need(8);
      const v = view.getBigUint64(at);
      at += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new CborError("integer too large");
      return Number(v);
    }
    throw new CborError(info === 31 ? "indefinite lengths are not accepted" : "reserved value");
  }

  function item(depth) {
    if (depth > MAX_DEPTH) throw new CborError("nested too deeply");
    need(1);
    const head = bytes[at++];
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) return simple(info);
    const n = argument(info);
    switch (major) {
      case 0: return n;
      case 1: return -1 - n;
      case 2: { need(n); const v = bytes.subarray(at, at + n); at += n; return v; }
      case 3: {
        need(n);
        let text;
        try { text = utf8.decode(bytes.subarray(at, at + n)); } catch { throw new CborError("text is not UTF-8"); }
        at += n;
        return text;
      }
      case 4: {
        if (n > bytes.length - at) throw new CborError("truncated");
        const list = [];
        for (let i = 0; i < n; i++) list.push(item(depth + 1));
        return list;
      }
      case 5: {
        if (n > bytes.length - at) throw new CborError("truncated");
        const map = new Map();
        for (let i = 0; i < n; i++) {
          const key = item(depth + 1);
          if (typeof key !== "number" && typeof key !== "string") throw new CborError("a map key is neither an integer nor text");
          if (map.has(key)) throw new CborError("a map key is repeated");
          map.set(key, item(depth + 1));
        }
        return map;
      }
      default: return new Tagged(n, item(depth + 1)); // major 6
    }
  }

  function simple(info) {
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 25) { need(2); const v = half(view.getUint16(at)); at += 2; return v; }
    if (info === 26) { need(4); const v = view.getFloat32(at); at += 4; return v; }
    if (info === 27) { need(8); const v = view.getFloat64(at); at += 8; return v; }
    throw new CborError("an unsupported simple value");
  }

  const value = item(0);
  if (at !== bytes.length) throw new CborError("bytes follow the item");
  return value;
}

function half(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

// The CBOR head of a byte string of `length` bytes (for the COSE Sig_structure).
export function bstrHead(length) {
  if (length < 24) return Uint8Array.of(0x40 + length);
  if (length < 0x100) return Uint8Array.of(0x58, length);
  if (length < 0x10000) return Uint8Array.of(0x59, length >> 8, length & 0xff);
  return Uint8Array.of(0x5a, length >>> 24, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff);
}

// Text-keyed maps, recursively, as plain objects (what the venue rules are); other values as they are.
export function plain(value) {
  if (value instanceof Map) {
    return Object.fromEntries([...value].map(([k, v]) => [String(k), plain(v)]));
  }
  if (Array.isArray(value)) return value.map(plain);
  return value;
}
