// Byte helpers that need nothing from Node.
//
// The SDK is bundled into contracts that run inside a bare V8 isolate, where
// `Buffer`, `TextEncoder` and `atob` do not exist, so UTF-8 and base64 are done
// here by hand. All functions are pure and safe to call concurrently.

const REPLACEMENT_CHAR = 0xfffd;

// Node has native codecs with the same WHATWG semantics; the sandbox has none and uses the code below.
const nativeEncoder = typeof TextEncoder === 'function' ? new TextEncoder() : undefined;
const nativeDecoder = typeof TextDecoder === 'function' ? new TextDecoder() : undefined;

/** Encodes a string as UTF-8. Lone surrogates become U+FFFD, as TextEncoder does. */
export function utf8Encode(text: string): Uint8Array {
  return nativeEncoder ? nativeEncoder.encode(text) : utf8EncodeJs(text);
}

/** Decodes UTF-8 as the WHATWG decoder does: each maximal malformed subpart becomes one U+FFFD. */
export function utf8Decode(bytes: Uint8Array): string {
  return nativeDecoder ? nativeDecoder.decode(bytes) : utf8DecodeJs(bytes);
}

export function utf8EncodeJs(text: string): Uint8Array {
  const out = new Uint8Array(utf8ByteLength(text));
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let c = codePointAt(text, i);
    if (c > 0xffff) i++;
    else if (c >= 0xd800 && c <= 0xdfff) c = REPLACEMENT_CHAR;
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out;
}

/** Number of bytes `utf8Encode(text)` produces. */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = codePointAt(text, i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c < 0x10000) n += 3;
    else {
      n += 4;
      i++;
    }
  }
  return n;
}

export function utf8DecodeJs(bytes: Uint8Array): string {
  const parts: string[] = [];
  let units: number[] = [];
  const emit = (c: number) => {
    if (c > 0xffff) {
      c -= 0x10000;
      units.push(0xd800 | (c >> 10), 0xdc00 | (c & 0x3ff));
    } else units.push(c);
    if (units.length > 4096) {
      parts.push(String.fromCharCode(...units));
      units = [];
    }
  };
  let codePoint = 0;
  let needed = 0;
  let seen = 0;
  let lower = 0x80;
  let upper = 0xbf;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (needed === 0) {
      if (b <= 0x7f) emit(b);
      else if (b >= 0xc2 && b <= 0xdf) (needed = 1), (codePoint = b & 0x1f);
      else if (b >= 0xe0 && b <= 0xef) {
        if (b === 0xe0) lower = 0xa0;
        if (b === 0xed) upper = 0x9f;
        (needed = 2), (codePoint = b & 0xf);
      } else if (b >= 0xf0 && b <= 0xf4) {
        if (b === 0xf0) lower = 0x90;
        if (b === 0xf4) upper = 0x8f;
        (needed = 3), (codePoint = b & 0x7);
      } else emit(REPLACEMENT_CHAR);
      continue;
    }
    if (b < lower || b > upper) {
      codePoint = needed = seen = 0;
      lower = 0x80;
      upper = 0xbf;
      emit(REPLACEMENT_CHAR);
      i--; // the byte may start the next sequence
      continue;
    }
    lower = 0x80;
    upper = 0xbf;
    codePoint = (codePoint << 6) | (b & 0x3f);
    if (++seen === needed) {
      emit(codePoint);
      codePoint = needed = seen = 0;
    }
  }
  if (needed !== 0) emit(REPLACEMENT_CHAR);
  parts.push(String.fromCharCode(...units));
  return parts.join('');
}

function codePointAt(text: string, i: number): number {
  const hi = text.charCodeAt(i);
  if (hi >= 0xd800 && hi <= 0xdbff && i + 1 < text.length) {
    const lo = text.charCodeAt(i + 1);
    if (lo >= 0xdc00 && lo <= 0xdfff) return 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
  }
  return hi;
}

/** True when the string has no lone surrogate, i.e. it is valid Unicode and encodes to UTF-8 losslessly. */
export function isWellFormedUnicode(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/**
 * Compares two strings in the order of their UTF-8 bytes, which is Unicode code point
 * order. JavaScript's `<` compares UTF-16 code units and disagrees for characters
 * above U+FFFF versus U+E000..U+FFFF; range queries must use this instead.
 */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

// Maps a UTF-16 code unit to a rank that sorts surrogates (code points >= U+10000) after U+E000..U+FFFF.
function codeUnitRank(u: number): number {
  if (u >= 0xd800 && u <= 0xdfff) return u + 0x2000;
  if (u >= 0xe000) return u - 0x800;
  return u;
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_INDEX: Record<string, number> = Object.fromEntries([...BASE64_ALPHABET].map((ch, i) => [ch, i]));

export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const n = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0);
    out += BASE64_ALPHABET[(n >> 18) & 63]! + BASE64_ALPHABET[(n >> 12) & 63]!;
    out += b1 === undefined ? '=' : BASE64_ALPHABET[(n >> 6) & 63]!;
    out += b2 === undefined ? '=' : BASE64_ALPHABET[n & 63]!;
  }
  return out;
}

/** Decodes standard base64 (with or without padding). Returns undefined for malformed input. */
export function base64Decode(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, '');
  if (clean.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let n = 0;
    const chunk = clean.slice(i, i + 4);
    for (let k = 0; k < 4; k++) {
      const ch = chunk[k];
      const v = ch === undefined ? 0 : BASE64_INDEX[ch];
      if (v === undefined) return undefined;
      n = (n << 6) | v;
    }
    out[o++] = (n >> 16) & 0xff;
    if (chunk.length > 2) out[o++] = (n >> 8) & 0xff;
    if (chunk.length > 3) out[o++] = n & 0xff;
  }
  return out;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Copies the bytes so a caller keeping a reference cannot change stored state later. */
export function copyBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
