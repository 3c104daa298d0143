package dev.stackquery.internal.observer

import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import dev.stackquery.StructuralSharing

/**
 * How one observer turns its query's raw state into the state it shows: [select] applied to the
 * data (memoized: it runs only for a new raw data instance, which structural sharing keeps for
 * equal data, and its result is structurally shared with the previous one), the previous key's
 * data while the new key has none (`keepPreviousData`), or the placeholder. A [select] that throws
 * makes the shown state ERROR with that exception, keeping the last data it selected from the
 * query's own data (never a selected placeholder, which would then pass for real data).
 *
 * Not thread-safe, but for [select]: the observer calls it from one thread at a time (its
 * publishing loop while attached, its lock while detached).
 */
internal class StateDerivation<Q, T>(select: ((Q) -> T)?, private val forceKeepPreviousData: Boolean = false) {
    /** The select function; replaced by `setOptions(options, select)` on any thread. */
    @Volatile
    var select: ((Q) -> T)? = select

    private var memoSelect: ((Q) -> T)? = null
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
        val select = select
        when {
            raw.hasData -> {
                if (previousData !== NONE) previousData = NONE // the new key has data: what was kept is no longer shown
                if (select == null) {
                    raw as QueryState<T>
                } else {
                    raw.showing(selectData(select, raw.data as Q, options, placeholder = false), false)
                }
            }
            raw.status == QueryStatus.ERROR || !(options.enabled || raw.isFetching) -> raw as QueryState<T>
            (options.keepPreviousData || forceKeepPreviousData) && previousData !== NONE ->
                raw.showing(previousData as T, true)
            options.placeholderData != null -> raw.showing(
                if (select == null) {
                    options.placeholderData as T
                } else {
                    selectData(select, options.placeholderData, options, placeholder = true)
                },
                true,
            )
            else -> raw as QueryState<T>
        }
    } catch (e: Throwable) {
        if (e is VirtualMachineError) throw e
        val kept = if (memoIsPlaceholder) NONE else memoSelected
        raw.selectFailed(e, if (kept === NONE) null else kept as T, kept !== NONE)
    }

    /**
     * [select] applied to [raw], run only for a new raw instance (or a new [select]); the result
     * is structurally shared with the previous one (an equal result keeps the old reference).
     */
    @Suppress("UNCHECKED_CAST") // memoSelected holds a T once set
    private fun selectData(select: (Q) -> T, raw: Q, options: QueryOptions<Q>, placeholder: Boolean): T {
        if (memoSelect === select && memoRaw !== NONE && raw === memoRaw) return memoSelected as T
        val selected = select(raw)
        val kept = when {
            memoSelected === NONE -> selected
            options.structuralSharing -> StructuralSharing.replaceEqualDeep(memoSelected as T, selected)
            memoSelected == selected -> memoSelected as T
            else -> selected
        }
        memoSelect = select
        memoRaw = raw
        memoSelected = kept
        memoIsPlaceholder = placeholder
        return kept
    }

    private companion object {
        val NONE = Any()
    }
}
