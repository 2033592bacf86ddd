// Preload for kinesis-local, which always binds 0.0.0.0: every server it opens listens on 127.0.0.1 instead.
'use strict';
const net = require('net');
const originalListen = net.Server.prototype.listen;
net.Server.prototype.listen = function loopbackListen(...args) {
  const first = args[0];
  if (typeof first === 'number') {
    const callback = args.find((a) => typeof a === 'function');
    return originalListen.call(this, first, '127.0.0.1', callback);
  }
  if (first && typeof first === 'object') {
    return originalListen.call(this, Object.assign({}, first, { host: '127.0.0.1' }), ...args.slice(1));
  }
  return originalListen.apply(this, args);
};
