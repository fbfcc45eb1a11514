/**
 * The --hub flag's value, checked without loading a Redis client (every CLI command parses
 * flags; only `watch --hub` and `worker` connect).
 *
 * @module
 */
/** A --hub URL that is not redis://host:port, or whose server does not answer. */
export class HubUrlError extends Error {}

/** Check a --hub value: redis://host:port (or rediss:// for TLS). */
export function parseHubUrl(url: string): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new HubUrlError(`--hub must be a URL redis://host:port, got "${url}"`);
  }
  if (u.protocol !== "redis:" && u.protocol !== "rediss:") {
    throw new HubUrlError(`--hub must be a URL redis://host:port, got "${url}"`);
  }
  return u;
}
