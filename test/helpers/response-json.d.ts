// Tests read many JSON answers and assert on their shape field by field; typing each one
// would only restate the assertions. This widens Response.json() for files under test/ only.
declare global {
  interface Response {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- see above
    json(): Promise<any>;
  }
}
export {};
