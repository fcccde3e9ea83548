// Preload for `bench:open --tcp-nodelay` (node --import): turns Nagle's algorithm off on every
// TCP socket of the process, servers and clients alike, without touching the server or unit
// code, to measure what TCP_NODELAY on the MQTT sockets would change. Plain JS: it loads
// before tsx.
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';

const createServer = net.createServer;
net.createServer = (opts, listener) =>
  typeof opts === 'function' || opts === undefined
    ? createServer({ noDelay: true }, opts)
    : createServer({ ...opts, noDelay: true }, listener);
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  this.setNoDelay(true);
  return connect.apply(this, args);
};
syncBuiltinESMExports();
