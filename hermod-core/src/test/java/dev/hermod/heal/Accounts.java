package dev.hermod.heal;

import dev.hermod.Deduplicated;
import dev.hermod.Remote;

/** What the deduplication tests call: deposits, which must not run twice. */
@Remote
public interface Accounts {
    /** Adds {@code amount} to the account and returns its new balance; run once per call, however often sent. */
    @Deduplicated
    long deposit(String account, long amount);

    /** The same, without the mark: a call sent again would run again, so it is not sent again. */
    long depositUnmarked(String account, long amount);

    /** Returns the balance. */
    long balance(String account);
}
