package dev.stackquery

/**
 * The source of every timestamp a [QueryClient] uses: staleness, `dataUpdatedAt`, garbage
 * collection deadlines. Returns epoch milliseconds.
 *
 * Epoch time (not a monotonic clock) is used because timestamps are compared across processes
 * once they are persisted. Tests pass a clock that reads the coroutines-test scheduler:
 *
 * ```kotlin
 * QueryClientConfig(clock = QueryClock { testScheduler.currentTime }, coroutineContext = StandardTestDispatcher(testScheduler))
 * ```
 *
 * Implementations must be thread-safe and cheap: the fresh-hit path of
 * [QueryClient.fetchQuery] reads the clock once per call.
 */
public fun interface QueryClock {
    /** The current time in epoch milliseconds. */
    public fun nowMillis(): Long

    public companion object {
        /** The system wall clock, [System.currentTimeMillis]. */
        @JvmField
        public val SYSTEM: QueryClock = QueryClock { System.currentTimeMillis() }
    }
}
