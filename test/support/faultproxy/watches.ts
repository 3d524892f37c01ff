/**
 * The watch streams open through the proxy: each event is passed on as it arrives, and every stream can
 * be ended at once, as an apiserver restart or a load balancer's timeout ends them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { framingFor } from './framing.js';

interface OpenWatch {
  drop(abrupt: boolean): void;
}

export class OpenWatches {
  private readonly open = new Set<OpenWatch>();

  /**
   * Streams an upstream watch answer (its head already written to `res`) to the client. `cancel` ends the
   * upstream request, so the apiserver stops the watch too.
   */
  stream(upstream: IncomingMessage, res: ServerResponse, cancel: () => void): void {
    const framing = framingFor(String(upstream.headers['content-type'] ?? ''));
    // A client counts the watch as open once it has the headers, before any event.
    res.flushHeaders();
    let ending = false;
    const end = () => {
      res.end();
      cancel();
    };
    const watch: OpenWatch = {
      drop(abrupt) {
        if (abrupt) {
          res.destroy();
          cancel();
        } else if (framing.betweenEvents()) end();
        else ending = true;
      },
    };
    this.open.add(watch);
    res.on('close', () => this.open.delete(watch));

    upstream.on('data', (chunk: Buffer) => {
      if (res.writableEnded || res.destroyed) return;
      const length = framing.take(chunk, ending);
      if (!res.write(length === chunk.length ? chunk : chunk.subarray(0, length))) {
        upstream.pause();
        res.once('drain', () => upstream.resume());
      }
      if (ending && framing.betweenEvents()) end();
    });
    upstream.on('end', () => res.end());
  }

  /** Ends every open watch: after the event on its way (gently) or by cutting the connection (abruptly). */
  drop(abrupt: boolean): number {
    const open = [...this.open];
    this.open.clear();
    for (const watch of open) watch.drop(abrupt);
    return open.length;
  }
}
