/**
 * DICOM UIDs in the "2.25." arc (PS3.5 §B.2): "2.25." followed by the decimal
 * form of a 128-bit number. With a seed the number is a deterministic hash of
 * the seed, so generated test data is byte-for-byte reproducible; without one
 * it comes from `crypto.getRandomValues` where available.
 */

/** 32-bit MurmurHash3-style mix of a string with a seed. Not cryptographic: for reproducible ids only. */
function hash32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let n = 0; n < text.length; n++) {
    let k = text.charCodeAt(n);
    k = Math.imul(k, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= text.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

type CryptoLike = { getRandomValues(array: Uint32Array): Uint32Array };

function randomWords(): [number, number, number, number] {
  const crypto = (globalThis as { crypto?: CryptoLike }).crypto;
  const words = new Uint32Array(4);
  if (crypto) crypto.getRandomValues(words);
  else for (let n = 0; n < 4; n++) words[n] = Math.floor(Math.random() * 0x100000000);
  return [words[0]!, words[1]!, words[2]!, words[3]!];
}

/**
 * A new UID "2.25.<decimal>" (at most 44 characters). The same `seed` always
 * gives the same UID; different seeds give different UIDs with overwhelming probability.
 */
export function createUid(seed?: string): string {
  const words = seed === undefined
    ? randomWords()
    : [hash32(seed, 0x9747b28c), hash32(seed, 0x1b873593), hash32(seed, 0x85ebca6b), hash32(seed, 0xc2b2ae35)];
  let value = 0n;
  for (const w of words) value = (value << 32n) | BigInt(w);
  if (value === 0n) value = 1n; // "2.25.0" is legal but looks like a placeholder
  return `2.25.${value.toString(10)}`;
}

/** True for a syntactically valid UID (PS3.5 §9.1): digits and dots, no leading zeros, at most 64 chars. */
export function isValidUid(uid: string): boolean {
  return uid.length > 0 && uid.length <= 64 && /^(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*$/.test(uid);
}
