package dev.hermod.heal;

import dev.hermod.Idempotent;
import dev.hermod.Remote;

/** What the restart test calls: each operation records the number it is given. */
@Remote
public interface Ledger {
    /** Returns its argument; safe to run twice. */
    @Idempotent
    long echo(long seq);

    /** Records its argument and returns it; not idempotent. */
    long record(long seq);

    /** Records its argument; oneway-capable. */
    void note(long seq);
}
