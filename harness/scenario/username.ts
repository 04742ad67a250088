/** Usernames of simulated clients, from the scenario's pattern. */

/** Longest username the protocol accepts (after trimming). */
export const MAX_USERNAME_LENGTH = 50;

/** Formats the username of client `index`: every "{i}" of the pattern becomes the index. */
export function formatUsername(pattern: string, index: number): string {
  return pattern.split('{i}').join(String(index));
}
