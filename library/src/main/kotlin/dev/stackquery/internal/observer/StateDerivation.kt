package dev.stackquery.internal.observer

import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus

/**
 * How one observer turns its query's raw state into the state it shows: [select] applied to the
 * data (memoized: it runs only for new raw data, and an equal result keeps the previous
 * reference), the previous key's data while the new key has none (`keepPreviousData`), or the
 * placeholder. A [select] that throws makes the shown state ERROR with that exception, keeping
 * the last data it selected from the query's own data (never a selected placeholder, which would
 * then pass for real data).
 *
 * Not thread-safe: the observer calls it from one thread at a time (its publishing loop while
 * attached, its lock while detached).
 */
internal class StateDerivation<Q, T>(private val select: ((Q) -> T)?) {
    private var memoRaw: Any? = NONE
    private var memoSelected: Any? = NONE

    /** Whether [memoSelected] was selected from a placeholder rather than the query's data. */
    private var memoIsPlaceholder = false

    /** The data shown before the key changed, kept for `keepPreviousData`; [NONE] when there is none. */
    @Volatile
    private var previousData: Any? = NONE

    /** The key is about to change while [shown] is shown: keep its data for `keepPreviousData`. */
    fun keyChanging(shown: QueryState<T>) {
        previousData = if (shown.hasData) shown.data else NONE
    }

    /** The state to show for [raw] under [options]. */
    @Suppress("UNCHECKED_CAST") // without select, T is Q; NONE is never cast
    fun derive(raw: QueryState<Q>, options: QueryOptions<Q>): QueryState<T> = try {
        when {
            raw.hasData -> {
                previousData = NONE // the new key has data: what was kept is no longer shown
                if (select ==
                    null
                ) {
                    raw as QueryState<T>
                } else {
                    raw.showing(selectData(raw.data as Q, placeholder = false), false)
                }
            }
            raw.status == QueryStatus.ERROR || !(options.enabled || raw.isFetching) -> raw as QueryState<T>
            options.keepPreviousData && previousData !== NONE -> raw.showing(previousData as T, true)
            options.placeholderData != null -> raw.showing(
                selectData(options.placeholderData, placeholder = true),
                true,
            )
            else -> raw as QueryState<T>
        }
    } catch (e: Throwable) {
        if (e is VirtualMachineError) throw e
        val kept = if (memoIsPlaceholder) NONE else memoSelected
        raw.selectFailed(e, if (kept === NONE) null else kept as T, kept !== NONE)
    }

    /** [select] applied to [raw], run only for new raw data; an equal result keeps the old reference. */
    @Suppress("UNCHECKED_CAST") // without select, T is Q; memoSelected holds a T once set
    private fun selectData(raw: Q, placeholder: Boolean): T {
        val select = select ?: return raw as T
        if (memoRaw !== NONE && raw === memoRaw) return memoSelected as T
        val selected = select(raw)
        val kept = if (memoSelected !== NONE && memoSelected == selected) memoSelected else selected
        memoRaw = raw
        memoSelected = kept
        memoIsPlaceholder = placeholder
        return kept as T
    }

    private companion object {
        val NONE = Any()
    }
}
