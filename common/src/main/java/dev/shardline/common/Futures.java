package dev.shardline.common;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Future helpers. Internal. */
public final class Futures {
    private Futures() {
    }

    /** The cause a {@code CompletableFuture} chain wrapped in {@link CompletionException}s or {@link ExecutionException}s. */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
