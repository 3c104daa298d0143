package dev.stackquery.benchmarks

import dev.stackquery.QueryKey
import java.util.concurrent.CompletableFuture
import java.util.concurrent.Executor
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger

/**
 * The one loader every contender of the stampede benchmark calls: a non-blocking load that
 * completes [delayMillis] after it is called (on the JDK's `CompletableFuture.delayedExecutor`), and
 * counts its calls. StackQuery awaits it from its query function, Caffeine gets it as its
 * `AsyncCacheLoader`, so both wait for the same timer.
 *
 * Thread-safe.
 */
class SlowLoader(private val delayMillis: Long) {
    private val calls = AtomicInteger()
    private val delayed: Executor = CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS)

    /** Calls since the last [reset]. */
    fun calls(): Int = calls.get()

    fun reset() {
        calls.set(0)
    }

    /** Counts a call and returns the value of [key], [delayMillis] from now. */
    fun load(key: QueryKey): CompletableFuture<String> {
        calls.incrementAndGet()
        return CompletableFuture.supplyAsync({ valueOf(key) }, delayed)
    }

    companion object {
        /** The value [load] produces for [key]. */
        @JvmStatic
        fun valueOf(key: QueryKey): String = "value of $key"
    }
}
