package dev.hermod.internal.invocation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A future whose failure is watched for the log line on unobserved failures
 * ({@link FailureWatch}): the methods that hand its outcome, failure included, to someone call
 * {@link #observed()}; the others, which derive stages that carry a failure on ({@code thenApply},
 * {@code thenCompose}, ...), do not. Results and the stages derived from them are both.
 */
abstract class WatchedStage<U> extends CompletableFuture<U> {

    /** Something received the outcome: a failure it holds is not logged. */
    abstract void observed();

    @Override
    public CompletableFuture<U> whenComplete(BiConsumer<? super U, ? super Throwable> action) {
        observed();
        return super.whenComplete(action);
    }

    @Override
    public CompletableFuture<U> whenCompleteAsync(BiConsumer<? super U, ? super Throwable> action) {
        observed();
        return super.whenCompleteAsync(action);
    }

    @Override
    public CompletableFuture<U> whenCompleteAsync(BiConsumer<? super U, ? super Throwable> action, Executor e) {
        observed();
        return super.whenCompleteAsync(action, e);
    }

    @Override
    public <V> CompletableFuture<V> handle(BiFunction<? super U, Throwable, ? extends V> fn) {
        observed();
        return super.handle(fn);
    }

    @Override
    public <V> CompletableFuture<V> handleAsync(BiFunction<? super U, Throwable, ? extends V> fn) {
        observed();
        return super.handleAsync(fn);
    }

    @Override
    public <V> CompletableFuture<V> handleAsync(BiFunction<? super U, Throwable, ? extends V> fn, Executor e) {
        observed();
        return super.handleAsync(fn, e);
    }

    @Override
    public CompletableFuture<U> exceptionally(Function<Throwable, ? extends U> fn) {
        observed();
        return super.exceptionally(fn);
    }

    @Override
    public CompletableFuture<U> exceptionallyAsync(Function<Throwable, ? extends U> fn) {
        observed();
        return super.exceptionallyAsync(fn);
    }

    @Override
    public CompletableFuture<U> exceptionallyAsync(Function<Throwable, ? extends U> fn, Executor e) {
        observed();
        return super.exceptionallyAsync(fn, e);
    }

    @Override
    public CompletableFuture<U> exceptionallyCompose(Function<Throwable, ? extends CompletionStage<U>> fn) {
        observed();
        return super.exceptionallyCompose(fn);
    }

    @Override
    public CompletableFuture<U> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<U>> fn) {
        observed();
        return super.exceptionallyComposeAsync(fn);
    }

    @Override
    public CompletableFuture<U> exceptionallyComposeAsync(Function<Throwable, ? extends CompletionStage<U>> fn,
            Executor e) {
        observed();
        return super.exceptionallyComposeAsync(fn, e);
    }

    @Override
    public CompletionStage<U> minimalCompletionStage() {
        observed(); // its stages are the JDK's, which nobody watches
        return super.minimalCompletionStage();
    }

    // ---- what derives stages that carry a failure on: they are watched from here on ----

    /** Lets a derived stage record its outcome: a failure that arises in it is its own to report. */
    private static <V> CompletableFuture<V> armed(CompletableFuture<V> stage) {
        if (stage instanceof DerivedStage<V> derived) {
            derived.arm();
        }
        return stage;
    }

    @Override
    public <V> CompletableFuture<V> thenApply(Function<? super U, ? extends V> fn) {
        return armed(super.thenApply(fn));
    }

    @Override
    public <V> CompletableFuture<V> thenApplyAsync(Function<? super U, ? extends V> fn) {
        return armed(super.thenApplyAsync(fn));
    }

    @Override
    public <V> CompletableFuture<V> thenApplyAsync(Function<? super U, ? extends V> fn, Executor executor) {
        return armed(super.thenApplyAsync(fn, executor));
    }

    @Override
    public CompletableFuture<Void> thenAccept(Consumer<? super U> action) {
        return armed(super.thenAccept(action));
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super U> action) {
        return armed(super.thenAcceptAsync(action));
    }

    @Override
    public CompletableFuture<Void> thenAcceptAsync(Consumer<? super U> action, Executor executor) {
        return armed(super.thenAcceptAsync(action, executor));
    }

    @Override
    public CompletableFuture<Void> thenRun(Runnable action) {
        return armed(super.thenRun(action));
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action) {
        return armed(super.thenRunAsync(action));
    }

    @Override
    public CompletableFuture<Void> thenRunAsync(Runnable action, Executor executor) {
        return armed(super.thenRunAsync(action, executor));
    }

    @Override
    public <V, W> CompletableFuture<W> thenCombine(CompletionStage<? extends V> other, BiFunction<? super U, ? super V, ? extends W> fn) {
        return armed(super.thenCombine(other, fn));
    }

    @Override
    public <V, W> CompletableFuture<W> thenCombineAsync(CompletionStage<? extends V> other, BiFunction<? super U, ? super V, ? extends W> fn) {
        return armed(super.thenCombineAsync(other, fn));
    }

    @Override
    public <V, W> CompletableFuture<W> thenCombineAsync(CompletionStage<? extends V> other, BiFunction<? super U, ? super V, ? extends W> fn, Executor executor) {
        return armed(super.thenCombineAsync(other, fn, executor));
    }

    @Override
    public <V> CompletableFuture<Void> thenAcceptBoth(CompletionStage<? extends V> other, BiConsumer<? super U, ? super V> action) {
        return armed(super.thenAcceptBoth(other, action));
    }

    @Override
    public <V> CompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends V> other, BiConsumer<? super U, ? super V> action) {
        return armed(super.thenAcceptBothAsync(other, action));
    }

    @Override
    public <V> CompletableFuture<Void> thenAcceptBothAsync(CompletionStage<? extends V> other, BiConsumer<? super U, ? super V> action, Executor executor) {
        return armed(super.thenAcceptBothAsync(other, action, executor));
    }

    @Override
    public CompletableFuture<Void> runAfterBoth(CompletionStage<?> other, Runnable action) {
        return armed(super.runAfterBoth(other, action));
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action) {
        return armed(super.runAfterBothAsync(other, action));
    }

    @Override
    public CompletableFuture<Void> runAfterBothAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return armed(super.runAfterBothAsync(other, action, executor));
    }

    @Override
    public <V> CompletableFuture<V> applyToEither(CompletionStage<? extends U> other, Function<? super U, V> fn) {
        return armed(super.applyToEither(other, fn));
    }

    @Override
    public <V> CompletableFuture<V> applyToEitherAsync(CompletionStage<? extends U> other, Function<? super U, V> fn) {
        return armed(super.applyToEitherAsync(other, fn));
    }

    @Override
    public <V> CompletableFuture<V> applyToEitherAsync(CompletionStage<? extends U> other, Function<? super U, V> fn, Executor executor) {
        return armed(super.applyToEitherAsync(other, fn, executor));
    }

    @Override
    public CompletableFuture<Void> acceptEither(CompletionStage<? extends U> other, Consumer<? super U> action) {
        return armed(super.acceptEither(other, action));
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends U> other, Consumer<? super U> action) {
        return armed(super.acceptEitherAsync(other, action));
    }

    @Override
    public CompletableFuture<Void> acceptEitherAsync(CompletionStage<? extends U> other, Consumer<? super U> action, Executor executor) {
        return armed(super.acceptEitherAsync(other, action, executor));
    }

    @Override
    public CompletableFuture<Void> runAfterEither(CompletionStage<?> other, Runnable action) {
        return armed(super.runAfterEither(other, action));
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action) {
        return armed(super.runAfterEitherAsync(other, action));
    }

    @Override
    public CompletableFuture<Void> runAfterEitherAsync(CompletionStage<?> other, Runnable action, Executor executor) {
        return armed(super.runAfterEitherAsync(other, action, executor));
    }

    @Override
    public <V> CompletableFuture<V> thenCompose(Function<? super U, ? extends CompletionStage<V>> fn) {
        return armed(super.thenCompose(fn));
    }

    @Override
    public <V> CompletableFuture<V> thenComposeAsync(Function<? super U, ? extends CompletionStage<V>> fn) {
        return armed(super.thenComposeAsync(fn));
    }

    @Override
    public <V> CompletableFuture<V> thenComposeAsync(Function<? super U, ? extends CompletionStage<V>> fn, Executor executor) {
        return armed(super.thenComposeAsync(fn, executor));
    }

    @Override
    public CompletableFuture<U> copy() {
        return armed(super.copy());
    }

    /** Handing the future itself over (to {@code thenCombine}, {@code allOf}, ...) hands over its failure. */
    @Override
    public CompletableFuture<U> toCompletableFuture() {
        observed();
        return this;
    }
}
