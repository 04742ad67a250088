/**
 * Upload byte quotas (PROTOCOL.md 17/upload-quota, our decision): per user and over the whole server.
 *
 * An upload reserves its declared size at UploadStart, so uploads in progress count as well as completed ones; the
 * reservation is given back when the upload is discarded (cancelled, failed, its connection closed) or its file is
 * deleted by retention. A limit of 0 means unlimited.
 */
import { ERROR_CODES } from '../spec/index.js';
import type { CommandFailure } from './protocol-errors.js';

/** Limits of the quota. */
export interface UploadQuotaLimits {
  readonly perUserBytes: number;
  readonly totalBytes: number;
}

/** Bytes reserved by uploads, per user and in total. */
export class UploadQuota {
  private readonly byUser = new Map<string, number>();
  private total = 0;

  constructor(private readonly limits: UploadQuotaLimits) {}

  /** Bytes reserved over all users. */
  get usedBytes(): number {
    return this.total;
  }

  /** Reserves `bytes` for `user`; the UPLOAD_FAILED failure (nothing reserved) when a limit would be exceeded. */
  reserve(user: string, bytes: number): CommandFailure | null {
    const mine = this.byUser.get(user) ?? 0;
    const { perUserBytes, totalBytes } = this.limits;
    if (perUserBytes > 0 && mine + bytes > perUserBytes)
      return {
        code: ERROR_CODES.UPLOAD_FAILED,
        message: `upload of ${bytes} bytes exceeds your upload quota: ${mine} of ${perUserBytes} bytes used`,
        context: 'UploadStart.size',
      };
    if (totalBytes > 0 && this.total + bytes > totalBytes)
      return {
        code: ERROR_CODES.UPLOAD_FAILED,
        message: `server upload storage is full: ${this.total} of ${totalBytes} bytes used`,
        context: 'UploadStart.size',
      };
    this.byUser.set(user, mine + bytes);
    this.total += bytes;
    return null;
  }

  /** Gives back bytes reserved for `user`. */
  release(user: string, bytes: number): void {
    const left = (this.byUser.get(user) ?? 0) - bytes;
    if (left <= 0) this.byUser.delete(user);
    else this.byUser.set(user, left);
    this.total -= bytes;
  }
}
