/**
 * The current time in epoch milliseconds. Everything that decides by the time (assertion and
 * credential expiry, token lifetimes, sessions) reads it from one injected clock, so tests can
 * move time forward instead of sleeping, and production reads the system clock.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
