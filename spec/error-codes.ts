/**
 * Error codes carried by the Error frame (0xFF) and AuthFailed (PROTOCOL.md section 14).
 */

/** Declared error codes of the original implementation, by name. */
export const ERROR_CODES = {
  UNKNOWN: 1000,
  INVALID_FRAME: 1001,
  AUTH_REQUIRED: 1002,
  AUTH_FAILED: 1003,
  PERMISSION_DENIED: 1004,
  NOT_FOUND: 1005,
  RATE_LIMITED: 1006,
  INVALID_MESSAGE: 1007,
  ROOM_FULL: 1008,
  UPLOAD_FAILED: 1009,
  SERVER_ERROR: 1010,
} as const;

/** Name of a declared error code, e.g. `'INVALID_FRAME'`. */
export type ErrorCodeName = keyof typeof ERROR_CODES;

/** A declared error code, e.g. `1001`. */
export type ErrorCode = (typeof ERROR_CODES)[ErrorCodeName];

/** Name of a declared error code, or undefined for codes outside the table. */
export function errorCodeName(code: number): ErrorCodeName | undefined {
  for (const name of Object.keys(ERROR_CODES) as ErrorCodeName[]) {
    if (ERROR_CODES[name] === code) return name;
  }
  return undefined;
}
