package dev.stackquery.sample

import dev.stackquery.storage.StorageBackend
import kotlinx.coroutines.runBlocking
import java.util.Locale

/** Small helpers the samples share to measure and print durations. */
object Timing {
    /** [nanos] in the unit that reads best: `850 ns`, `12.3 µs`, `104.2 ms`, `2.4 s`. */
    @JvmStatic
    fun format(nanos: Long): String = when {
        nanos < 1_000 -> "$nanos ns"
        nanos < 1_000_000 -> String.format(Locale.ROOT, "%.1f µs", nanos / 1e3)
        nanos < 1_000_000_000 -> String.format(Locale.ROOT, "%.1f ms", nanos / 1e6)
        else -> String.format(Locale.ROOT, "%.1f s", nanos / 1e9)
    }

    /** The time since [startNanos] (a [System.nanoTime]), formatted. */
    @JvmStatic
    fun since(startNanos: Long): String = format(System.nanoTime() - startNanos)

    /**
     * Opens [storage] (connections, table) with one read of an absent key, and returns how long
     * that took in nanoseconds, so that the samples' timings of cache reads do not include it.
     */
    @JvmStatic
    fun warmUp(storage: StorageBackend): Long {
        val start = System.nanoTime()
        runBlocking { storage.get("stackquery-sample:warm-up") }
        return System.nanoTime() - start
    }
}
