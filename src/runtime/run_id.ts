/** Run ids: a UTC time prefix (so they sort by start) and a random suffix (so they are unique). */
export function newRunId(now = new Date()): string {
  const t = now.toISOString().replace(/[-:]/g, "").replace(".", "").replace("Z", "");
  const suffix = crypto.getRandomValues(new Uint8Array(3));
  return `${t}-${Array.from(suffix, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** Run ids are safe as file names and URL segments. */
export const RUN_ID_PATTERN = /^[0-9A-Za-z][0-9A-Za-z_.-]{0,80}$/;
