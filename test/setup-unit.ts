/**
 * The `unit` project runs pure code: opening a socket or listening on a port fails the test, saying
 * to move the file to the `integration` project (UNIT in jest.config.js). A Jest worker runs files of
 * both projects in one process, so test/setup-env.ts puts the real functions back before every file.
 */
import { Server, Socket } from 'node:net';
import { restoreNetwork } from './setup-env';

function refuse(what: string): never {
  throw new Error(`unit tests do no network I/O (${what}): move this test file to the integration project`);
}

restoreNetwork();
const connect = Socket.prototype.connect;
const listen = Server.prototype.listen;
Socket.prototype.connect = Object.assign(() => refuse('a socket connects'), { original: connect });
Server.prototype.listen = Object.assign(() => refuse('a server listens'), { original: listen });
