package dev.hermod;

import dev.hermod.tools.ServantOf;
import java.util.concurrent.CompletionStage;

/** The servant companion Hermod's annotation processor generates for {@link FetchService}, written out for the core's tests. */
@ServantOf(FetchService.class)
public interface FetchServiceAsyncServant {
    CompletionStage<byte[]> fetch(int item) throws FetchService.NoSuchItem;

    CompletionStage<Integer> size();
}
