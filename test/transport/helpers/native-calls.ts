/**
 * The native quiche Connection's prototype, where the binding's methods live (its typings leave the prototype out):
 * tests spy on it to count the native calls a transport path makes.
 */
import { quiche } from '@matrixai/quic/native/index.js';
import type { Connection as NativeConnection } from '@matrixai/quic/native/index.js';

export const nativeConnectionPrototype = (quiche.Connection as unknown as { prototype: NativeConnection })
  .prototype;
