/** The other end of bench/worker-messages.ts: answers each message with a short reply. */
declare const self: Worker;

self.onmessage = (event: MessageEvent) => {
  const data = event.data as unknown;
  self.postMessage(typeof data === "string" ? String(data.length) : (data as unknown[]).length);
};
