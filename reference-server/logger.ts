/**
 * Structured logs of the reference server: pino, JSON lines on stderr (stdout carries only the "listening" line
 * the harness parses).
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.js';

/** A pino logger writing to stderr at `level`. */
export function createLogger(level: LogLevel): Logger {
  return pino({ level, base: { service: 'garou-server' } }, pino.destination(2));
}
