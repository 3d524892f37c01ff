/**
 * Where one watch event ends and the next begins in the bytes of a watch stream, so a watch can be ended
 * between events (as the apiserver ends one) rather than halfway through one. JSON watches send one event
 * a line; protobuf watches (`application/vnd.kubernetes.protobuf;stream=watch`) send frames, each after
 * its length as four big-endian bytes.
 */

export interface EventFraming {
  /** Whether the bytes so far end with a whole event. */
  betweenEvents(): boolean;
  /**
   * Reads a chunk and returns how much of it to send: all of it, or with `toEventEnd` only up to the end
   * of the first event that finishes in it (all of it when none does).
   */
  take(chunk: Buffer, toEventEnd: boolean): number;
}

export function framingFor(contentType: string): EventFraming {
  return /protobuf/i.test(contentType) ? new LengthPrefixed() : new Lines();
}

class Lines implements EventFraming {
  private midLine = false;

  betweenEvents(): boolean {
    return !this.midLine;
  }

  take(chunk: Buffer, toEventEnd: boolean): number {
    if (chunk.length === 0) return 0;
    const newline = chunk.indexOf(0x0a);
    if (toEventEnd && newline !== -1) {
      this.midLine = false;
      return newline + 1;
    }
    this.midLine = chunk[chunk.length - 1] !== 0x0a;
    return chunk.length;
  }
}

class LengthPrefixed implements EventFraming {
  private header: number[] = [];
  private remaining = 0;

  betweenEvents(): boolean {
    return this.header.length === 0 && this.remaining === 0;
  }

  take(chunk: Buffer, toEventEnd: boolean): number {
    let at = 0;
    while (at < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - at);
        this.remaining -= n;
        at += n;
      } else {
        this.header.push(chunk[at]!);
        at += 1;
        if (this.header.length < 4) continue;
        this.remaining = Buffer.from(this.header).readUInt32BE(0);
        this.header = [];
      }
      if (toEventEnd && this.betweenEvents()) return at;
    }
    return at;
  }
}
