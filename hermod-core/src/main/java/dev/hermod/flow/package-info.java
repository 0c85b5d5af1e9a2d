/**
 * Helpers for callers that send many asynchronous calls: {@link dev.hermod.flow.Window} keeps a
 * fixed number in flight (the seed's "keep the pipe full" loop) without the bookkeeping.
 *
 * @since 0.3
 */
package dev.hermod.flow;
