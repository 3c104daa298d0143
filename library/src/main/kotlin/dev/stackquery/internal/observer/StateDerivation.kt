package dev.stackquery.internal.observer

import dev.stackquery.FetchStatus
import dev.stackquery.QueryOptions
import dev.stackquery.QueryState
import dev.stackquery.QueryStatus
import dev.stackquery.QueryView
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
internal class StateDerivation<Q, T>(
    select: ((Q) -> T)?,
    private val forceKeepPreviousData: Boolean = false,
    /** Logs a placeholder function that threw (the observer then shows no placeholder). */
    private val onFailure: (String, Throwable) -> Unit = { _, _ -> },
) {
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

    /**
     * The last query shown with data before a key change, for a placeholder function (TanStack's
     * `previousQuery`); `null` before any.
     */
    @Volatile
    private var previousQuery: QueryView<Q>? = null

    /** The placeholder function's last answer, kept while its function and previous query stay the same. */
    private var memoPlaceholderFunction: Any? = NONE
    private var memoPlaceholderQuery: QueryView<Q>? = null
    private var memoPlaceholder: Q? = null

    /**
     * The key is about to change while [shown] is shown: keep its data for `keepPreviousData`, and
     * [previous] (the old query, when it has data) for a placeholder function.
     */
    fun keyChanging(shown: QueryState<T>, previous: QueryView<Q>? = null) {
        previousData = if (shown.hasData) shown.data else NONE
        if (previous != null) previousQuery = previous
    }

    /** The state to show for [raw] under [options], [enabled] as the options answer for it. */
    @Suppress("UNCHECKED_CAST") // without select, T is Q; NONE is never cast
    fun derive(raw: QueryState<Q>, options: QueryOptions<Q>, enabled: Boolean = options.enabled): QueryState<T> = try {
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
            raw.status == QueryStatus.ERROR || !(enabled || raw.fetchStatus != FetchStatus.IDLE) -> raw as QueryState<T>
            (options.keepPreviousData || forceKeepPreviousData) && previousData !== NONE ->
                raw.showing(previousData as T, true)
            else -> {
                val placeholder = placeholderFor(options)
                when {
                    placeholder == null -> raw as QueryState<T>
                    select == null -> raw.showing(placeholder as T, true)
                    else -> raw.showing(selectData(select, placeholder, options, placeholder = true), true)
                }
            }
        }
    } catch (e: Throwable) {
        if (e is VirtualMachineError) throw e
        val kept = if (memoIsPlaceholder) NONE else memoSelected
        raw.selectFailed(e, if (kept === NONE) null else kept as T, kept !== NONE)
    }

    /** The placeholder [options] give: their function's answer (memoized), else their constant. */
    private fun placeholderFor(options: QueryOptions<Q>): Q? {
        val function = options.placeholderDataFunction ?: return options.placeholderData
        val previous = previousQuery
        if (memoPlaceholderFunction === function && memoPlaceholderQuery === previous) return memoPlaceholder
        val answer = try {
            function(previous?.state?.data, previous)
        } catch (e: Exception) {
            onFailure("the placeholderData function of ${options.queryKey}", e)
            null
        }
        memoPlaceholderFunction = function
        memoPlaceholderQuery = previous
        memoPlaceholder = answer
        return answer
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
