/**
 * One turn of the event loop for a computing run (`ctx.tick`): rows written out, a stop
 * message taken in. Mostly a message to ourselves, which costs 0.06 ms where Deno's
 * `setTimeout(0)` costs ≈ 2 ms here (a run that yields every 15 ms of work lost an eighth of
 * its time to it). But a message is taken before the I/O poll: a run that only ever yielded
 * so starved its own socket and timers (an HTTP DELETE never arrived). So at least every
 * POLL_MS a yield is a timer, which does go through the poll: ≈ 2% of a run's time.
 *
 * @module
 */

/** The longest a run goes between yields that let I/O in (a stop waits at most this). */
const POLL_MS = 100;
let lastPoll = 0;

export function yieldToEventLoop(): Promise<void> {
  const now = performance.now();
  if (now - lastPoll >= POLL_MS) {
    lastPoll = now;
    return new Promise((resolve) => setTimeout(resolve, 0));
  }
  return new Promise((resolve) => {
    // a fresh channel each time, closed on arrival: an open port keeps a process alive
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(0);
    port2.close();
  });
}
