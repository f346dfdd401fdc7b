// Base45 (RFC 9285): the text a card's QR code carries after "TC1:". Strict, as the Python
// verifier's signing/base45.py: a length one more than a multiple of three, a character
// outside the alphabet, a group worth more than 65535 or a final pair worth more than 255
// is refused.

export const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const DIGITS = new Map([...ALPHABET].map((c, i) => [c, i]));

export function b45decode(text) {
  if (text.length % 3 === 1) throw new Error(`base45 text of ${text.length} characters`);
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  const digit = (i) => {
    const d = DIGITS.get(text[i]);
    if (d === undefined) throw new Error(`base45 text holds ${JSON.stringify(text[i])} at position ${i}`);
    return d;
  };
  for (let i = 0; i + 2 < text.length; i += 3) {
    const value = digit(i) + 45 * digit(i + 1) + 2025 * digit(i + 2);
    if (value > 0xffff) throw new Error(`base45 group at position ${i} is over 65535`);
    out[o++] = value >> 8;
    out[o++] = value & 0xff;
  }
  if (text.length % 3 === 2) {
    const value = digit(text.length - 2) + 45 * digit(text.length - 1);
    if (value > 0xff) throw new Error("base45 final pair is over 255");
    out[o++] = value;
  }
  return out;
}

export function b45encode(bytes) {
  let text = "";
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let value = (bytes[i] << 8) | bytes[i + 1];
    const high = Math.floor(value / 2025);
    value %= 2025;
    text += ALPHABET[value % 45] + ALPHABET[Math.floor(value / 45)] + ALPHABET[high];
  }
  if (bytes.length % 2) {
    const last = bytes[bytes.length - 1];
    text += ALPHABET[last % 45] + ALPHABET[Math.floor(last / 45)];
  }
  return text;
}
