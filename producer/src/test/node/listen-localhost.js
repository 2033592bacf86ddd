// kinesis-local binds 0.0.0.0 with no setting to change it: force every listen onto 127.0.0.1.
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') {
    return listen.call(this, args[0], '127.0.0.1', ...args.slice(typeof args[1] === 'string' ? 2 : 1));
  }
  if (args[0] && typeof args[0] === 'object' && !(args[0] instanceof net.Server)) {
    args[0] = Object.assign({}, args[0], { host: '127.0.0.1' });
  }
  return listen.apply(this, args);
};
