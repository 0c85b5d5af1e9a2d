package dev.hermod;

import dev.hermod.tools.CompanionOf;

/** What Hermod's annotation processor generates for {@link FetchService}, written out for the core's tests. */
@CompanionOf(FetchService.class)
public interface FetchServiceAsync {
    AsyncResult.Throwing<byte[], FetchService.NoSuchItem> fetch(int item);

    AsyncResult.Throwing<Integer, RuntimeException> size();
}
