/** Commands a sender-timeout actor (one per community and sender in hellban) accepts. */
export type SenderTimeoutCommand =
  /** The hellban postfilter fired: ban for `minutes` unless a ban is already running (a ban never extends itself). */
  | { readonly type: "Hellban"; readonly minutes: number }
  /** A ban read from the store (start-up, or another process announced it): the store's expiry is the truth. */
  | { readonly type: "AdoptBan"; readonly expiresAt: number };

/** Delivers commands to sender-timeout actors by (community, sender), spawning on first use. */
export type TimeoutRouter = (communityId: string, userId: string, command: SenderTimeoutCommand) => void;
