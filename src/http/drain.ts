import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import net, { type Socket } from 'node:net';

export interface Drain {
  /**
   * Stops accepting connections, closes idle keep-alive sockets at once, answers the requests in
   * flight with `Connection: close` and closes each socket as its last response ends. Resolves
   * when every connection is closed, or after `timeoutMs` (closing whatever is left, and calling
   * `onTimeout` first).
   */
  close(timeoutMs: number, onTimeout?: () => void): Promise<void>;
}

/**
 * Keeps count of the responses in flight on each socket, from the moment the server listens, so
 * that a shutdown can tell idle sockets from busy ones. Node's own `server.close()` closes the
 * idle ones but leaves a busy keep-alive socket open after its response (until the keep-alive
 * timeout), and its clients go on sending on it: under load the shutdown never drains.
 */
export function trackForDrain(server: Server): Drain {
  let draining = false;
  const inFlight = new Map<Socket, Set<ServerResponse>>();

  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    let responses = inFlight.get(socket);
    if (!responses) inFlight.set(socket, (responses = new Set()));
    responses.add(res);
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      responses.delete(res);
      if (responses.size > 0) return;
      inFlight.delete(socket);
      // A response whose headers went out before the shutdown began promised keep-alive: close
      // the socket once it is sent, so the client opens a new connection (to another process).
      if (draining && !socket.destroyed) socket.end();
    });
  });

  return {
    close(timeoutMs, onTimeout) {
      draining = true;
      for (const responses of inFlight.values()) {
        for (const res of responses) if (!res.headersSent) res.setHeader('Connection', 'close');
      }
      return new Promise((resolve) => {
        const force = setTimeout(() => {
          onTimeout?.();
          server.closeAllConnections();
        }, timeoutMs);
        force.unref();
        // The listening socket closes first, and only then the idle keep-alive ones: a client whose
        // idle socket closes connects again at once, and must find the port closed (refused, so it
        // goes elsewhere), not still listening (http.Server.close closes the idle sockets first;
        // a busy machine can pause the process between the two, and the new connection is then
        // reset with its request unread). Node's check of request and header timeouts, which
        // http.Server.close would stop, goes on until the process exits: it is unref'd, and
        // timing out a stalled request during the drain is what it is for.
        net.Server.prototype.close.call(server, () => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
