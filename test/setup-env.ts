/** Test process environment: the SDK's notice about Node 20 is known (Lambda runs Node 22) and only noise here. */
import { Server, Socket } from 'node:net';
import { DEPLOYED_ENV } from './deployed-env';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** A socket function as test/setup-unit.ts replaces it, the real one kept beside. */
export type Replaced<T> = T & { original?: T };

/** Puts back the socket functions test/setup-unit.ts replaced for an earlier unit test file in this worker. */
export function restoreNetwork(): void {
  const connect = Socket.prototype.connect as Replaced<typeof Socket.prototype.connect>;
  const listen = Server.prototype.listen as Replaced<typeof Server.prototype.listen>;
  if (connect.original) Socket.prototype.connect = connect.original;
  if (listen.original) Server.prototype.listen = listen.original;
}

restoreNetwork();

// The variables every deployed function has, for code that reads its environment as a Lambda does.
for (const [name, value] of Object.entries(DEPLOYED_ENV)) process.env[name] ??= value;
