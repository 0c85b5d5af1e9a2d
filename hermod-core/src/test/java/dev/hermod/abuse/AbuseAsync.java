package dev.hermod.abuse;

import dev.hermod.AsyncResult;
import dev.hermod.tools.CompanionOf;

/** The asynchronous companion of {@link Abuse}, written out for the core's tests. */
@CompanionOf(Abuse.class)
public interface AbuseAsync {
    AsyncResult<Integer> ping();

    AsyncResult<Void> note(String text);
}
