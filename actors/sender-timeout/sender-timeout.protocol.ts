/** Commands a sender-timeout actor (one per community and sender whose ban is being recorded) accepts. */
export type SenderTimeoutCommand =
  /** The hellban postfilter fired: ban for `minutes` unless a ban is already running (a ban never extends itself). */
  { readonly type: "Hellban"; readonly minutes: number };
