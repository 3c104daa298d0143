package dev.stackquery

import dev.stackquery.internal.NoChange
import dev.stackquery.internal.client.ClientEngine
import dev.stackquery.internal.client.listen
import dev.stackquery.internal.durationMillis
import dev.stackquery.internal.mutation.MutationImpl
import dev.stackquery.internal.observer.CombinedQueryObserverImpl
import dev.stackquery.internal.observer.DependentQueryObserverImpl
import dev.stackquery.internal.observer.InfiniteQueryObserverImpl
import dev.stackquery.internal.observer.QueryObserverImpl
import dev.stackquery.internal.observer.SelectedInfiniteQueryObserverImpl
import dev.stackquery.storage.StorageStats
import kotlinx.coroutines.flow.SharedFlow
import java.util.concurrent.Executor
import kotlin.time.Duration

/**
 * The entry point of StackQuery: an in-memory cache of queries that fetches, deduplicates,
 * retries, revalidates, invalidates and garbage-collects them.
 *
 * ```kotlin
 * val client = QueryClient(QueryClientConfig(staleTime = 30.seconds))
 * val userOptions = QueryOptions(queryKey("user", 42), queryFn = { api.user(42) })
 * val user = client.fetchQuery(userOptions)      // cold: fetches; fresh: instant; stale: instant + refetch
 * client.invalidateQueries(queryKey("user"))       // every key starting with "user" is now stale
 * client.close()
 * ```
 *
 * **Sharing.** Concurrent requests for one key share a single execution of its query function;
 * each caller gets the same result or the same error.
 *
 * **Cancellation.** Fetches run in the client's own scope (a `SupervisorJob` in
 * [QueryClientConfig.coroutineContext]), never in the caller's: a caller that is cancelled while
 * waiting stops waiting, and the shared fetch goes on to fill the cache for everyone else. Only
 * [cancelQueries], [removeQueries], [resetQueries], [clear], [close] and [invalidateQueries] (for
 * the active queries it refetches) cancel a fetch; its waiters then get a
 * [QueryCancelledException] and the query's state goes back to what it was before the fetch, with
 * `fetchStatus = IDLE`. A new fetch of the key waits until a cancelled one has stopped, so a
 * query function never runs twice at once for one key.
 *
 * **Memory.** A query with no observer and no fetch in flight is removed `gcTime` after it became
 * inactive. Past [QueryClientConfig.cacheMaxSize] queries, the least recently used inactive ones
 * are evicted; observed or fetching queries never are.
 *
 * **Threads.** Every method may be called from any thread at any time. Suspending methods are
 * main-safe: they never block the calling thread.
 *
 * **Persistence.** With a [QueryClientConfig.storage], a query that has a [QueryOptions.codec]
 * and no data reads its stored entry once, inside the fetch it starts, waiting at most
 * `storageTimeout`: fresh data is returned without calling the query function, stale or
 * invalidated data is returned (or shown) while the fetch goes on. Settled successes,
 * [setQueryData] and invalidations are written in the background, latest per key, in order;
 * [removeQueries] and [resetQueries] delete the entries. A storage failure never fails a query
 * (see [storageStats]). [flush] waits for the queued writes.
 *
 * **Several instances.** With a [QueryClientConfig.sync], this client publishes its
 * invalidations, [setQueryData] writes, removals and resets, and applies the other instances'
 * (never its own) in the order they arrive, without waiting for the refetches they start. When
 * messages may have been missed (a reconnection, or more than 10,000 waiting), it invalidates
 * every query it holds. Messages still unsent when the client closes are not sent.
 *
 * @param config the client's defaults, clock and coroutine context.
 */
public class QueryClient(public val config: QueryClientConfig = QueryClientConfig()) : AutoCloseable {
    internal val engine = ClientEngine(config, this)
    private val operations = engine.operations

    /**
     * Every change in the cache: queries added, updated, removed, fetches started and settled.
     * A collector that falls more than 1024 events behind loses the oldest. Events are only built
     * while someone collects. Events of one key arrive in the order the changes happened; a
     * collector running on `Dispatchers.Unconfined` runs inside that ordering and must not call
     * back into the client.
     */
    public val events: SharedFlow<QueryCacheEvent> = engine.runtime.events.events

    /**
     * Every change in the mutation cache (see [mutations]): runs added, updated, removed. Like
     * [events]: a collector that falls more than 1024 events behind loses the oldest, events are
     * only built while someone collects, the events of one run arrive in the order of its changes
     * (they are emitted under the mutation cache's lock: a collector on `Dispatchers.Unconfined`
     * must not call back into the client). From Java, use [subscribeMutationEvents].
     */
    public val mutationEvents: SharedFlow<MutationCacheEvent> = engine.runtime.mutationEvents.events

    /**
     * [mutationEvents] for a listener: [listener] is called with every event emitted after this
     * call returns, in order and one call at a time, on [executor] (the client's dispatcher when
     * omitted), until the subscription is ended or the client closes. Exceptions it throws are
     * logged. A listener slower than the events misses the oldest (see [mutationEvents]).
     *
     * ```java
     * Subscription sub = client.subscribeMutationEvents(event -> log.info("{}", event), executor);
     * ```
     */
    @JvmOverloads
    public fun subscribeMutationEvents(listener: MutationEventListener, executor: Executor? = null): Subscription =
        engine.runtime.listen(
            engine.runtime.mutationEvents.events,
            executor,
            "a mutation event listener",
            listener::onEvent,
        )

    /** A snapshot of the client's counters. Cheap enough to call often; never blocks. */
    public fun stats(): QueryStats = engine.runtime.stats.snapshot()

    /**
     * Returns the data of [options]' query, stale-while-revalidate:
     * - **fresh** data in memory is returned at once, without suspending, locking or allocating;
     * - **stale** data (older than the stale time, or invalidated) is returned at once and one
     *   background refetch is started (or joined, if one is in flight);
     * - with **no data**, the query function runs (or the fetch in flight is joined) and the call
     *   waits for it, retrying as configured.
     *
     * [QueryOptions.placeholderData] is never returned; [QueryOptions.initialData] is, while fresh.
     * The query function runs even when [QueryOptions.enabled] is false: the caller asked for it.
     *
     * @throws Throwable the error of the last attempt when a cold fetch fails for good (also
     *   recorded in the query's state; the next call fetches again).
     * @throws QueryCancelledException when the fetch waited for is cancelled by the client.
     * @throws QueryClientClosedException when the client is closed and a fetch is needed.
     */
    public suspend fun <T> fetchQuery(options: QueryOptions<T>): T {
        val fresh = engine.freshState(options)
        @Suppress("UNCHECKED_CAST") // a fresh state has data: a T, even when T is nullable
        if (fresh != null) return fresh.data as T
        return engine.fetchAfterMiss(options)
    }

    /**
     * Makes sure [options]' query holds fresh data, fetching if it has none or it is stale, and
     * waits for that fetch. Never throws a fetch error (the error is recorded in the query's
     * state) and does nothing on a closed client; it only rethrows the caller's own cancellation.
     */
    public suspend fun prefetchQuery(options: QueryOptions<*>): Unit = engine.prefetch(options)

    /**
     * Returns the query's data if it has any, fresh or stale, without waiting for a refetch;
     * otherwise fetches like [fetchQuery] and waits. With [revalidateIfStale], stale data is
     * returned at once and refetched in the background (as TanStack's `revalidateIfStale`);
     * without it (the default), stale data is returned and nothing is fetched.
     *
     * @throws Throwable the error of the last attempt when the fetch fails for good.
     * @throws QueryClientClosedException when the client is closed and a fetch is needed.
     */
    public suspend fun <T> ensureQueryData(options: QueryOptions<T>, revalidateIfStale: Boolean = false): T =
        engine.ensure(options, revalidateIfStale)

    /**
     * [fetchQuery] for an infinite query: its pages, fresh from memory, stale from memory with a
     * background refetch of every page, or fetched. With no data it loads the first [pages] pages
     * (default 1), from the first page param on, stopping early when there is no next page.
     *
     * @throws IllegalArgumentException when [pages] < 1.
     */
    public suspend fun <T, P> fetchInfiniteQuery(
        options: InfiniteQueryOptions<T, P>,
        pages: Int = 1,
    ): InfiniteData<T, P> = fetchQuery(options.forFirstLoad(pages))

    /** [prefetchQuery] for an infinite query (the first [pages] pages when it has no data); never throws a fetch error. */
    public suspend fun prefetchInfiniteQuery(options: InfiniteQueryOptions<*, *>, pages: Int = 1): Unit =
        prefetchQuery(options.forFirstLoad(pages))

    /**
     * [ensureQueryData] for an infinite query: any cached pages (stale ones refetched behind them
     * with [revalidateIfStale]), else the first [pages] pages fetched.
     */
    public suspend fun <T, P> ensureInfiniteQueryData(
        options: InfiniteQueryOptions<T, P>,
        pages: Int = 1,
        revalidateIfStale: Boolean = false,
    ): InfiniteData<T, P> = ensureQueryData(options.forFirstLoad(pages), revalidateIfStale)

    /**
     * An observer of an infinite query, with `fetchNextPage` / `fetchPreviousPage` (see
     * [InfiniteQueryObserver]). Creating it does nothing; its first subscriber attaches it.
     */
    public fun <T, P> watchInfinite(options: InfiniteQueryOptions<T, P>): InfiniteQueryObserver<T, P> =
        InfiniteQueryObserverImpl(engine, options)

    /**
     * [watchInfinite] that also shows `select(pages)` ([SelectedInfiniteQueryObserver.selected]),
     * TanStack's `select` for infinite queries: the pages flattened, say. The page flags come from
     * the raw pages; [select] runs only when they change.
     */
    public fun <T, P, R> watchInfinite(
        options: InfiniteQueryOptions<T, P>,
        select: (InfiniteData<T, P>) -> R,
    ): SelectedInfiniteQueryObserver<T, P, R> =
        SelectedInfiniteQueryObserverImpl(InfiniteQueryObserverImpl(engine, options), select, engine.runtime)

    /**
     * An observer of [options]' query: its state as a `StateFlow` and as listener callbacks, kept
     * up to date while it has subscribers. Creating it does nothing; the first subscriber attaches
     * it (see [QueryObserver]). Use [SwitchableQueryObserver.setOptions] to move it to another key.
     */
    public fun <T> watch(options: QueryOptions<T>): SwitchableQueryObserver<T, T> =
        QueryObserverImpl(engine, options, null)

    /**
     * Like [watch], showing `select(data)` instead of the data: the cache keeps the raw data, and
     * each observer applies its own [select]. It runs only when the raw data instance changes
     * (structural sharing keeps the instance when a refetch returns equal data, see
     * [QueryOptions.structuralSharing]); its result is structurally shared with the previous one,
     * so an equal result keeps the previous reference. [select] must be a fast, pure function; if
     * it throws, the observer's state is ERROR with that exception.
     */
    public fun <T, R> watch(options: QueryOptions<T>, select: (T) -> R): SwitchableQueryObserver<T, R> =
        QueryObserverImpl(engine, options, select)

    /**
     * One observer of several queries, whose value is `combine(states)` (the states in the order
     * of [options]), emitted only when it changes; its subscribers attach and detach all the
     * queries together (see [CombinedQueryObserver]).
     *
     * ```kotlin
     * val screen = client.watchAll(listOf(userOptions, postsOptions)) { (user, posts) -> user.isSuccess && posts.isSuccess }
     * ```
     *
     * @throws IllegalArgumentException when [options] is empty.
     */
    public fun <T, R> watchAll(
        options: List<QueryOptions<out T>>,
        combine: (List<QueryState<T>>) -> R,
    ): CombinedQueryObserver<R> {
        require(options.isNotEmpty()) { "watchAll needs at least one query's options" }
        @Suppress("UNCHECKED_CAST") // the observer only ever hands out the T its function returns
        val children = options.map { QueryObserverImpl<T, T>(engine, it as QueryOptions<T>, null) }
        return CombinedQueryObserverImpl(engine.runtime, children, combine)
    }

    /**
     * An observer of a query that depends on another: it shows the state of the query whose
     * options [then] builds from [dependsOn]'s data. Until [dependsOn] has data it shows IDLE (or
     * ERROR with [dependsOn]'s error); each new data of [dependsOn] (by `equals`) moves it to the
     * key `then(data)` names, and with [keepPreviousData] the data shown so far stays, as
     * placeholder data, while the new key loads. Its subscribers keep both queries active.
     * [then] must be fast and pure; if it throws, the failure is logged and the observer stays on
     * the options it had.
     *
     * ```kotlin
     * val posts = client.watchDependent(meOptions) { me -> postsOptions(me.id) }
     * ```
     */
    public fun <A, B> watchDependent(
        dependsOn: QueryOptions<A>,
        keepPreviousData: Boolean = false,
        then: (A) -> QueryOptions<B>,
    ): QueryObserver<B> = DependentQueryObserverImpl(engine, watch(dependsOn), keepPreviousData, then)

    /**
     * A [Mutation] running [options], merged with the mutation defaults of its
     * [MutationOptions.mutationKey]'s prefixes ([setMutationDefaults]) as they are now: an option
     * [options] leave unset takes the most specific default that sets it. Creating it does
     * nothing; [Mutation.mutate] runs it.
     */
    public fun <TData, TVariables, TContext> mutation(
        options: MutationOptions<TData, TVariables, TContext>,
    ): Mutation<TData, TVariables> = MutationImpl(engine, engine.withDefaults(options))

    /**
     * A [Mutation] made from its key alone: its function and options come from the mutation
     * defaults of [mutationKey]'s prefixes ([setMutationDefaults]), merged as they are now (the
     * most specific [MutationDefaults.mutationFn] wins). The caller names the types the defaults'
     * function has; a wrong one fails with [ClassCastException] where a value is used. Use it to
     * run a mutation known only by its key (one restored after a restart, say).
     *
     * @throws IllegalArgumentException when no mutation defaults matching [mutationKey] give a
     *   `mutationFn`.
     */
    public fun <TData, TVariables> mutation(mutationKey: QueryKey): Mutation<TData, TVariables> {
        val defaults = engine.mutationDefaults.matching(mutationKey)

        @Suppress("UNCHECKED_CAST") // the caller names the function's types
        val function = defaults?.mutationFn as (suspend (TVariables) -> TData)?
        requireNotNull(function) {
            "no mutation defaults with a mutationFn match the mutation key $mutationKey: " +
                "set one with setMutationDefaults(prefix, defaults) first"
        }
        val options = MutationOptions<TData, TVariables, Nothing?>(function, mutationKey = mutationKey)
        return MutationImpl(engine, options.withDefaults(defaults))
    }

    /**
     * Sets [defaults] for every query whose key starts with [prefix] (TanStack's
     * `setQueryDefaults`), replacing what was set for the same [prefix] before. They apply to the
     * options that enter the client from now on ([fetchQuery], [prefetchQuery], [ensureQueryData],
     * [watch] and [SwitchableQueryObserver.setOptions], and the query [setQueryData] creates), as
     * [defaultQueryOptions] merges them; an observer made before keeps its options until its next
     * `setOptions`. Thread-safe.
     */
    public fun setQueryDefaults(prefix: QueryKey, defaults: QueryDefaults): Unit =
        engine.queryDefaults.set(prefix, defaults)

    /**
     * The query defaults that apply to [key]: those of every registered prefix [key] starts with,
     * merged least specific first (shorter prefixes first; equal ones in the order they were first
     * set), so the most specific value of each field wins. Empty [QueryDefaults] when none match.
     */
    public fun getQueryDefaults(key: QueryKey): QueryDefaults = engine.queryDefaults.matching(key) ?: QueryDefaults()

    /**
     * Sets [defaults] for every mutation whose [MutationOptions.mutationKey] starts with [prefix]
     * (TanStack's `setMutationDefaults`), replacing what was set for the same [prefix] before.
     * They apply to the mutations made from now on ([mutation]). Thread-safe.
     */
    public fun setMutationDefaults(prefix: QueryKey, defaults: MutationDefaults<*, *>): Unit =
        engine.mutationDefaults.set(prefix, defaults)

    /**
     * The mutation defaults that apply to [mutationKey], merged as [getQueryDefaults] merges query
     * defaults; empty [MutationDefaults] when none match. The caller names the function's types.
     */
    public fun <TData, TVariables> getMutationDefaults(mutationKey: QueryKey): MutationDefaults<TData, TVariables> {
        @Suppress("UNCHECKED_CAST") // the caller names the types, as for getQueryData
        return (engine.mutationDefaults.matching(mutationKey) ?: MutationDefaults<TData, TVariables>())
            as MutationDefaults<TData, TVariables>
    }

    /**
     * [options] as the client uses them (TanStack's `defaultQueryOptions`): each field [options]
     * leave unset takes the most specific matching query default ([setQueryDefaults]) that sets
     * it, else the client config's value ([QueryClientConfig.staleTime], `gcTime`, `retry`,
     * `retryPolicy`, `networkMode`, `refetchOnFocus`, `refetchOnReconnect`,
     * `refetchIntervalInBackground`), else the field's documented default. A new instance; [options] is not changed.
     */
    public fun <T> defaultQueryOptions(options: QueryOptions<T>): QueryOptions<T> {
        val merged = engine.withDefaults(options)
        return merged.copy(
            staleTime = if (merged.staleTimeFunction == null) merged.staleTime ?: config.staleTime else null,
            gcTime = merged.gcTime ?: config.gcTime,
            retry = merged.retry ?: config.retry,
            retryPolicy = merged.retryPolicy ?: config.retryPolicy,
            enabled = if (merged.enabledFunction == null) merged.enabled else null,
            refetchInterval = merged.refetchInterval,
            refetchOnSubscribe = merged.refetchOnSubscribe,
            meta = merged.meta,
            structuralSharing = merged.structuralSharing,
            staleTimeFunction = merged.staleTimeFunction,
            networkMode = merged.networkMode ?: config.networkMode,
            refetchOnFocus = merged.refetchOnFocus ?: config.refetchOnFocus,
            refetchOnReconnect = merged.refetchOnReconnect ?: config.refetchOnReconnect,
            refetchIntervalInBackground = merged.refetchIntervalInBackground ?: config.refetchIntervalInBackground,
        )
    }

    /**
     * How many mutation runs are in progress (waiting for their scope included) whose
     * [MutationOptions.mutationKey] starts with [prefix]; all runs when [prefix] is `null`. A run
     * counts from the moment its state is PENDING to the moment it settles, both changes being
     * made at one point: no thread sees a run PENDING and not counted, or settled and counted.
     */
    @JvmOverloads
    public fun isMutating(prefix: QueryKey? = null): Int = engine.mutations.count(prefix)

    /**
     * How many mutation runs in progress [filter] selects, as TanStack's `isMutating(filters)`:
     * the filter's [MutationFilter.status] is ignored (only PENDING runs count), its key and
     * predicate apply. Counted atomically with the runs' state changes, as [isMutating] by prefix.
     */
    public fun isMutating(filter: MutationFilter): Int = engine.mutations.count(filter)

    /**
     * A snapshot of the mutation runs [filter] selects, in submission order, as TanStack's
     * `mutationCache.findAll(filters)`: a read-only list of [MutationRun]s, not updated afterwards.
     *
     * The mutation cache holds every run of every [Mutation] of this client from its submission
     * ([Mutation.mutate] called; waiting for its scope, PENDING) until [MutationOptions.gcTime]
     * (default [QueryClientConfig.mutationGcTime], 5 minutes) after it settled. A run in progress
     * is never removed. [clear] removes the settled runs; [close] removes them all (runs in
     * progress as they settle, cancelled). [Mutation.reset] does not remove runs. Changes are
     * published on [mutationEvents]. [filter]'s predicate runs under the cache's lock: keep it fast.
     */
    @JvmOverloads
    public fun mutations(filter: MutationFilter = MutationFilter.ALL): List<MutationRun> =
        engine.mutations.snapshot(filter)

    /**
     * Continues the paused mutation runs ([MutationState.isPaused]) that may run now, as
     * TanStack's `resumePausedMutations`, and returns once they have settled (whatever their
     * outcome: each run's caller gets its own result). It first reads the [FocusManager] and
     * [OnlineManager] again, so it also resumes runs after a change a manager did not report.
     * Runs the conditions still hold back (still offline in [NetworkMode.ONLINE]) stay paused and
     * are not waited for. Paused runs continue by themselves when the managers report the network
     * (or focus) back; runs of one scope keep their order. Cancelling the caller only stops its wait.
     */
    public suspend fun resumePausedMutations(): Unit = engine.resumePausedMutations()

    /**
     * The data cached under [key], or `null` if there is none (or it is `null`: use
     * [getQueryState] to tell them apart). Never fetches. The caller names the type; a wrong type
     * fails with [ClassCastException] where the value is used.
     */
    public fun <T> getQueryData(key: QueryKey): T? {
        val query = engine.store.get<T>(key) ?: return null
        query.touch(engine.runtime.clock.nowMillis())
        val state = query.state
        return if (state.hasData) state.data else null
    }

    /**
     * The data of every cached query [filter] selects, by key, in the order of the keys' canonical
     * text (a query without data maps to `null`), as TanStack's `getQueriesData`. Never fetches.
     * The caller names the type, as for [getQueryData].
     */
    public fun <T> getQueriesData(filter: QueryFilter): Map<QueryKey, T?> = operations.data(filter)

    /** [getQueriesData] for every key starting with [prefix]. */
    public fun <T> getQueriesData(prefix: QueryKey): Map<QueryKey, T?> = getQueriesData(QueryFilter.prefix(prefix))

    /**
     * `setQueryData(key, updater)` for each cached query [filter] selects, in the order of
     * [getQueriesData] (no query is created), as TanStack's `setQueriesData`; returns the data
     * written, by key (a query whose updater returned [noChange] is left as it is and not listed).
     * An updater that throws stops there: the queries before it keep their new data, the rest are
     * untouched.
     */
    public fun <T> setQueriesData(filter: QueryFilter, updater: (T?) -> T): Map<QueryKey, T> {
        val written = LinkedHashMap<QueryKey, T>()
        for (key in operations.keys(filter)) {
            val result = engine.setQueryData(key, updater)
            if (result != null && result.changed) written[key] = result.data
        }
        return written
    }

    /** [setQueriesData] for every key starting with [prefix]. */
    public fun <T> setQueriesData(prefix: QueryKey, updater: (T?) -> T): Map<QueryKey, T> =
        setQueriesData(QueryFilter.prefix(prefix), updater)

    /**
     * A read-only snapshot of each cached query [filter] selects (its key, state, observer count,
     * options summary, gc deadline, last fetch reason), in the order of the keys' canonical text,
     * as TanStack's `queryCache.findAll(filters)` for inspection. Each snapshot is consistent in
     * itself; queries created or removed while the list is built may or may not be in it.
     */
    @JvmOverloads
    public fun queries(filter: QueryFilter = QueryFilter.ALL): List<QuerySnapshot> = operations.snapshots(filter)

    /** [queries] for every key starting with [prefix]. */
    public fun queries(prefix: QueryKey): List<QuerySnapshot> = queries(QueryFilter.prefix(prefix))

    /**
     * The data cached under [key] as JSON text, encoded by the codec of the query's latest options
     * ([QueryOptions.codec], the one its L2 entry is written with), for inspection: devtools, logs,
     * debugging. `null` when no query is cached under [key], it has no data, or its options have
     * no codec ([QuerySnapshot.isPersisted] is false; a query made by `setQueryData` alone has
     * none). Never fetches, and does not count as an access (the query's least-recently-used
     * position and its [QuerySnapshot.lastAccessedAt] are unchanged). The codec runs on the
     * calling thread.
     *
     * @throws Exception whatever the codec throws for this data (the cache is not affected).
     */
    public fun getQueryDataJson(key: QueryKey): String? = engine.store.get<Any?>(key)?.dataJson()

    /** The state of the query cached under [key], or `null` if none is cached. Never fetches. */
    public fun <T> getQueryState(key: QueryKey): QueryState<T>? = engine.store.get<T>(key)?.currentState()

    /** [getQueryData] for [options]' key, typed by the options (no type to name, no cast). */
    public fun <T> getQueryData(options: QueryOptions<T>): T? = getQueryData(options.queryKey)

    /** [getQueryState] for [options]' key, typed by the options. */
    public fun <T> getQueryState(options: QueryOptions<T>): QueryState<T>? = getQueryState(options.queryKey)

    /**
     * Writes [data] as the query's data now: status SUCCESS, error cleared, not invalidated,
     * `dataUpdatedAt` = now. Creates the query if it is missing (with no observer and no fetch, it
     * is removed the client's `gcTime` later; reads do not postpone that). A fetch in flight is not
     * cancelled and overwrites the value when it settles. Returns the data written: [data], or the
     * cached instance when equal data was cached ([QueryOptions.structuralSharing]).
     */
    public fun <T> setQueryData(key: QueryKey, data: T): T = write(key, { _: T? -> data }, null)

    /**
     * Like `setQueryData(key, data)`, with [updatedAt] (epoch ms, the client's clock) as the data's
     * `dataUpdatedAt` instead of now, as TanStack's `updatedAt` option: for data that was current
     * at another time (an older one makes it stale sooner).
     *
     * @throws IllegalArgumentException when [updatedAt] is negative.
     */
    public fun <T> setQueryData(key: QueryKey, data: T, updatedAt: Long): T {
        require(updatedAt >= 0) { "updatedAt must not be negative, was $updatedAt" }
        return write(key, { _: T? -> data }, updatedAt)
    }

    private fun <T> write(key: QueryKey, updater: (T?) -> T, updatedAt: Long?): T =
        checkNotNull(engine.setQueryData(key, updater, updatedAt)) { "a plain write never declines" }.data

    /**
     * Like `setQueryData(key, data)` with `updater(current)`, where `current` is the query's data
     * or `null` when it has none. The read and the write are atomic for this key: concurrent
     * updaters never lose each other's changes. Like `AtomicReference.updateAndGet`, [updater] runs
     * outside any lock and runs again if the query's state changed before its result could be
     * written, so it must be free of side effects. If [updater] throws, nothing changes (no query
     * is created) and the exception propagates.
     *
     * An updater that returns [noChange] declines, as a TanStack updater returning `undefined`:
     * the query is left exactly as it is (no write, no event, no notification, nothing persisted
     * or published), and a missing query is not created:
     * ```kotlin
     * client.setQueryData<List<Todo>>(todosKey) { old -> old?.plus(todo) ?: QueryClient.noChange() }
     * ```
     *
     * @return the data the query holds afterwards: the new data, or, when [updater] declined, the
     *   data it held (`null` when it had none or is missing).
     */
    @JvmName("updateQueryData")
    public fun <T> setQueryData(key: QueryKey, updater: (T?) -> T): T? = engine.setQueryData(key, updater)?.data

    /**
     * Marks the queries [filter] selects as invalidated (stale, whatever their stale time), then
     * refetches the ones [refetchType] names (by default the active ones: observed and enabled)
     * and waits for those refetches. With [cancelRefetch] (the default, as TanStack's), a fetch of
     * theirs in flight is cancelled and started again (it may predate the change that caused the
     * invalidation); without it, the refetch joins it. A query still loading its first data always
     * joins its fetch (its waiters are not failed, as in TanStack), which then settles still
     * invalidated. Queries not refetched are only marked: their
     * next use refetches, and a fetch in flight of theirs settles still invalidated. Refetch errors
     * are recorded in state, not thrown. The other instances ([QueryClientConfig.sync]) mark the
     * same queries and refetch their own active ones.
     */
    public suspend fun invalidateQueries(
        filter: QueryFilter = QueryFilter.ALL,
        refetchType: RefetchType = RefetchType.ACTIVE,
        cancelRefetch: Boolean = true,
    ): Unit = operations.invalidate(filter, local = true, refetchType, cancelRefetch)

    /** [invalidateQueries] for every key starting with [prefix]. */
    public suspend fun invalidateQueries(
        prefix: QueryKey,
        refetchType: RefetchType = RefetchType.ACTIVE,
        cancelRefetch: Boolean = true,
    ): Unit = invalidateQueries(QueryFilter.prefix(prefix), refetchType, cancelRefetch)

    /**
     * Refetches the queries [filter] selects that have a query function and are enabled, and
     * waits for them. A fetch in flight is joined (no second request); with [cancelRefetch], it is
     * cancelled and started again, as TanStack's `cancelRefetch` (unless the query has no data yet:
     * then it is joined). Errors are recorded in state,
     * not thrown.
     */
    public suspend fun refetchQueries(filter: QueryFilter = QueryFilter.ALL, cancelRefetch: Boolean = false): Unit =
        operations.refetch(filter, cancelRefetch)

    /** [refetchQueries] for every key starting with [prefix]. */
    public suspend fun refetchQueries(prefix: QueryKey, cancelRefetch: Boolean = false): Unit =
        refetchQueries(QueryFilter.prefix(prefix), cancelRefetch)

    /**
     * Cancels the fetches in flight of the queries [filter] selects and waits until they stopped;
     * their waiters get [QueryCancelledException]. With [revert] (the default), each query's state
     * goes back to what it was before that fetch, with `fetchStatus = IDLE` (data written meanwhile
     * by `setQueryData` is kept). Without it, as TanStack's `revert: false`, the query settles in
     * ERROR with that [QueryCancelledException] as its error (its data, if any, kept; the failure
     * and error counts go up).
     */
    public suspend fun cancelQueries(filter: QueryFilter = QueryFilter.ALL, revert: Boolean = true): Unit =
        operations.cancel(filter, revert)

    /** [cancelQueries] for every key starting with [prefix]. */
    public suspend fun cancelQueries(prefix: QueryKey, revert: Boolean = true): Unit =
        cancelQueries(QueryFilter.prefix(prefix), revert)

    /**
     * Removes the queries [filter] selects from memory, cancelling their fetches in flight (their
     * waiters get [QueryCancelledException]). The next use of a removed key starts from scratch.
     *
     * An observer subscribed to a removed query attaches again at once, to a new query of its
     * key, which it fetches (its `refetchOnSubscribe` deciding). Removal and re-attachment are two
     * steps: a thread reading the key meanwhile may find no query, or one a concurrent write
     * created that is not yet observed or fetching. Once this call returns, the observers are
     * attached again.
     */
    @JvmOverloads
    public fun removeQueries(filter: QueryFilter = QueryFilter.ALL): Unit = operations.remove(filter, local = true)

    /** [removeQueries] for every key starting with [prefix]. */
    public fun removeQueries(prefix: QueryKey): Unit = removeQueries(QueryFilter.prefix(prefix))

    /**
     * Puts the queries [filter] selects back to their initial state (their initial data, or
     * IDLE with no data), cancelling fetches in flight, then refetches the active ones and waits.
     */
    public suspend fun resetQueries(filter: QueryFilter = QueryFilter.ALL): Unit =
        operations.reset(filter, local = true)

    /** [resetQueries] for every key starting with [prefix]. */
    public suspend fun resetQueries(prefix: QueryKey): Unit = resetQueries(QueryFilter.prefix(prefix))

    /**
     * How many queries in memory [filter] selects right now, without building a [QuerySnapshot]
     * per query (`queries(filter).size` does): for gauges and health checks. With no condition
     * (the default [QueryFilter.ALL]) it is O(1) and takes no lock; with a key prefix it costs in
     * proportion to the queries matched; with a type, staleness, fetch status or predicate it
     * checks every query the key selects. The count may be out of date as soon as it is returned.
     */
    @JvmOverloads
    public fun queryCount(filter: QueryFilter = QueryFilter.ALL): Int = operations.count(filter)

    /** How many of the queries [filter] selects are fetching right now. */
    @JvmOverloads
    public fun isFetching(filter: QueryFilter = QueryFilter.ALL): Int = operations.fetchingCount(filter)

    /** [isFetching] for every key starting with [prefix]. */
    public fun isFetching(prefix: QueryKey): Int = isFetching(QueryFilter.prefix(prefix))

    /**
     * Removes every query from memory, cancelling fetches in flight, and the settled runs of the
     * mutation cache (runs in progress stay; see [mutations]). The client stays usable.
     * Persisted entries stay in the storage (use `removeQueries()` to delete them too).
     */
    public fun clear(): Unit = engine.clear()

    /**
     * Closes the client: removes every query, cancels every fetch, retry wait and timer, and
     * cancels the client's scope, so no coroutine of it is left running once the dispatcher has
     * processed the cancellation, except the L2 writer: it sends the writes already queued, then
     * stops (writes that meet an open circuit breaker are dropped rather than waiting for it; use
     * [flush] to wait). Idempotent. Afterwards reads return nothing, [prefetchQuery] does nothing,
     * and writes or operations that need a fetch throw [QueryClientClosedException].
     */
    override fun close(): Unit = engine.close()

    /**
     * Waits until every write to the L2 storage queued before this call has been sent (or given
     * up after its retries); returns at once without a storage. Call it before the process exits:
     * [close] finishes the queued writes in the background but does not wait for them. While it
     * waits, writes that meet an open circuit breaker (the storage is failing) are given up and
     * counted in [StorageStats.writesDropped] instead of waiting out the cool-down, so a broken
     * storage cannot hold it for minutes; each write still takes up to `storageTimeout` per
     * attempt until the breaker opens. Use the `flush(timeout)` overload to bound it.
     */
    public suspend fun flush(): Unit = engine.flush()

    /**
     * [flush], waiting at most [timeout]: true when every write queued before the call was sent
     * or given up, false when the time ran out first (the rest stays queued and is still sent).
     *
     * @throws IllegalArgumentException when [timeout] is negative.
     */
    public suspend fun flush(timeout: Duration): Boolean = engine.flush(durationMillis(timeout, "flush timeout"))

    /** A snapshot of the L2 tier's counters, or `null` when the client has no storage. */
    public fun storageStats(): StorageStats? = engine.storageStats()

    public companion object {
        /**
         * Ends a `setQueryData` or `setQueriesData` updater without a value: the query is left as
         * it is (see `setQueryData(key, updater)`), as a TanStack updater returning `undefined`.
         * It never returns (it throws a marker the client catches around the updater), so it fits
         * wherever the updater's value goes: `old?.plus(todo) ?: QueryClient.noChange()` in
         * Kotlin, `return QueryClient.noChange();` in Java. The marker is a `Throwable` that is not
         * an `Exception`: a `catch (e: Exception)` inside the updater does not swallow it.
         *
         * @throws Throwable always; called outside an updater, it reaches the caller with the
         *   message "QueryClient.noChange() was called outside a setQueryData updater".
         */
        @JvmStatic
        public fun <T> noChange(): T = throw NoChange
    }
}
