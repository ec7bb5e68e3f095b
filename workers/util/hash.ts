/**
 * 32-bit string hash (FNV-1a over UTF-16 code units, then a murmur-style avalanche so nearby keys decorrelate).
 * Stable across isolates, deploys and machines: used for seeds, rollout buckets, shard choice and fingerprints.
 */
export function hash32(key: string, salt = 0): number {
  let h = (0x811c9dc5 ^ Math.imul(salt, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
