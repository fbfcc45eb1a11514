/**
 * A cold Observable from an async generator: pipelines are written as loops
 * that `yield` rows and `await ctx.tick()`. Unsubscribing calls the generator's
 * `return()`, so the loop stops at its next `yield` (rxjs's own `from` would
 * leave the generator running).
 *
 * @module
 */
import { Observable } from "rxjs";

export function fromAsync<T>(factory: () => AsyncGenerator<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const it = factory();
    let closed = false;
    (async () => {
      try {
        for (;;) {
          const r = await it.next();
          if (closed) return;
          if (r.done) return subscriber.complete();
          subscriber.next(r.value);
        }
      } catch (e) {
        if (!closed) subscriber.error(e);
      }
    })();
    return () => {
      closed = true;
      it.return(undefined).catch(() => {});
    };
  });
}
