package dev.stackquery

import dev.stackquery.internal.STATIC_STALE_TIME
import dev.stackquery.internal.durationMillis
import kotlin.time.Duration
import kotlin.time.toKotlinDuration

/**
 * What a stale-time function ([QueryOptions.staleTimeFunction]) returns: a duration after which
 * data turns stale, [INFINITE] (never stale by age; invalidation still makes it stale) or [STATIC]
 * (TanStack's `'static'`: never stale while it has data, not even after `invalidateQueries`).
 *
 * With [STATIC], a query that has data is fresh for every read (`fetchQuery` returns it without
 * fetching, an observer shows it with `isStale = false`), and an observed query whose observers
 * ask for [STATIC] is skipped by `invalidateQueries` and `refetchQueries` (its `isInvalidated` flag
 * is still set). A query nobody observes is refetched by `refetchQueries` as any other. Immutable.
 */
public class StaleTime private constructor(
    /** The stale time in ms; [Long.MAX_VALUE] for [INFINITE], [STATIC_STALE_TIME] for [STATIC]. */
    internal val millis: Long,
) {
    /** Whether this is [STATIC]. */
    public val isStatic: Boolean get() = millis == STATIC_STALE_TIME

    /** How long data stays fresh by age, in ms: [Long.MAX_VALUE] for [INFINITE] and [STATIC]. */
    public fun toMillis(): Long = if (isStatic) Long.MAX_VALUE else millis

    override fun equals(other: Any?): Boolean = other is StaleTime && other.millis == millis

    override fun hashCode(): Int = millis.hashCode()

    override fun toString(): String = when (millis) {
        STATIC_STALE_TIME -> "StaleTime.STATIC"
        Long.MAX_VALUE -> "StaleTime.INFINITE"
        else -> "StaleTime(${millis}ms)"
    }

    public companion object {
        /** Fresh until invalidated: never stale by age. */
        @JvmField
        public val INFINITE: StaleTime = StaleTime(Long.MAX_VALUE)

        /** Never stale while the query has data, invalidated or not (TanStack's `'static'`). */
        @JvmField
        public val STATIC: StaleTime = StaleTime(STATIC_STALE_TIME)

        /**
         * Stale [duration] after the data was updated ([Duration.INFINITE] is [INFINITE]).
         *
         * @throws IllegalArgumentException when [duration] is negative.
         */
        public fun of(duration: Duration): StaleTime {
            val millis = durationMillis(duration, "staleTime")
            return if (millis == Long.MAX_VALUE) INFINITE else StaleTime(millis)
        }

        /**
         * [of] for Java.
         *
         * @throws IllegalArgumentException when [duration] is negative.
         */
        @JvmStatic
        public fun of(duration: java.time.Duration): StaleTime = of(duration.toKotlinDuration())

        /**
         * A stale-time function that always answers [staleTime], for [QueryOptions.staleTimeFunction]
         * (`staleTimeFunction = StaleTime.always(StaleTime.STATIC)`): the client recognizes it and
         * reads the value without calling anything, as for a constant [QueryOptions.staleTime].
         */
        @JvmStatic
        public fun <T> always(staleTime: StaleTime): (QueryView<T>) -> StaleTime = ConstantStaleTime(staleTime)

        /**
         * Stale [millis] ms after the data was updated.
         *
         * @throws IllegalArgumentException when [millis] is negative.
         */
        @JvmStatic
        public fun ofMillis(millis: Long): StaleTime {
            require(millis >= 0) { "staleTime must not be negative, was ${millis}ms" }
            return if (millis == Long.MAX_VALUE) INFINITE else StaleTime(millis)
        }
    }
}

/** The function [StaleTime.always] makes; its [value] is read directly by the engine. */
internal class ConstantStaleTime(val value: StaleTime) : (QueryView<*>) -> StaleTime {
    override fun invoke(snapshot: QueryView<*>): StaleTime = value
}
