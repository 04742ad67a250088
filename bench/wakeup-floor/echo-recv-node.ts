/**
 * The Node side of bench/wakeup-floor: receives datagrams on the transport's UDP socket (`native` batched socket or
 * node:dgram) and answers each with a 40-byte datagram, doing nothing else. Prints one JSON line with the process's
 * CPU microseconds per datagram. Usage: echo-recv-node.ts PORT COUNT native|dgram
 */
import { createUdpPacketIO } from '../../transport/index.js';

const [portText, countText, io] = process.argv.slice(2);
const total = Number(countText);
const socket = await createUdpPacketIO({
  host: '127.0.0.1',
  port: Number(portText),
  io: io === 'dgram' ? 'dgram' : 'native',
});
const reply = Buffer.alloc(40);
let received = 0;
let cpuAtFirst: NodeJS.CpuUsage | null = null;
socket.start((_data, host, port) => {
  // CPU from the first datagram on: start-up and module loading are not part of the floor.
  cpuAtFirst ??= process.cpuUsage();
  socket.send(reply, 0, reply.length, host, port);
  if (++received === total) {
    const cpu = process.cpuUsage(cpuAtFirst);
    console.log(JSON.stringify({ usPerDatagram: (cpu.user + cpu.system) / total }));
    process.exit(0);
  }
});
console.log(JSON.stringify({ ready: true }));
