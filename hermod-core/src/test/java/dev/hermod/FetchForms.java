package dev.hermod;

import dev.hermod.tools.CompanionOf;
import dev.hermod.tools.ServantOf;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Hand-written companions of {@link FetchService}: one that matches, and ones that do not. */
final class FetchForms {
    private FetchForms() {}

    /** Chooses per operation, as Ice's ["amd"] metadata does: fetch answers later, size at once. */
    @ServantOf(FetchService.class)
    public interface Mixed {
        CompletableFuture<byte[]> fetch(int item) throws FetchService.NoSuchItem;

        int size();
    }

    /** fetch's stage carries the wrong type. */
    @ServantOf(FetchService.class)
    public interface WrongResult {
        CompletionStage<String> fetch(int item);

        CompletionStage<Integer> size();
    }

    /** Answers fetch but not size. */
    @ServantOf(FetchService.class)
    public interface Incomplete {
        CompletionStage<byte[]> fetch(int item);
    }

    /** fetch takes a long where the contract has an int. */
    @ServantOf(FetchService.class)
    public interface WrongParameter {
        CompletionStage<byte[]> fetch(long item);

        CompletionStage<Integer> size();
    }

    /** A client companion whose fetch result carries the wrong type. */
    @CompanionOf(FetchService.class)
    public interface WrongAsync {
        AsyncResult<String> fetch(int item);
    }

    /** A client companion with an operation the contract lacks. */
    @CompanionOf(FetchService.class)
    public interface UnknownAsync {
        AsyncResult<byte[]> fetchAll();
    }
}
