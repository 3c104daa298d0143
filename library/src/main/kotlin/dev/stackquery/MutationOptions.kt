package dev.stackquery

import dev.stackquery.future.AsyncMutationErrorCallback
import dev.stackquery.future.AsyncMutationFunction
import dev.stackquery.future.AsyncMutationSettledCallback
import dev.stackquery.future.AsyncMutationSuccessCallback
import dev.stackquery.future.BlockingMutationFunction
import dev.stackquery.future.MutationErrorCallback
import dev.stackquery.future.MutationSettledCallback
import dev.stackquery.future.MutationSuccessCallback
import dev.stackquery.internal.checkRetry
import dev.stackquery.internal.durationMillis
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.future.await
import kotlinx.coroutines.runInterruptible
import java.util.concurrent.CompletionStage
import java.util.concurrent.Executor
import java.util.function.Function
import kotlin.time.Duration
import kotlin.time.toJavaDuration
import kotlin.time.toKotlinDuration

/**
 * What a [Mutation] does: [mutationFn] and the callbacks around it.
 *
 * The optimistic-update pattern:
 * ```kotlin
 * val rename = client.mutation(MutationOptions<User, String, User?>(
 *     mutationFn = { name -> api.rename(42, name) },
 *     onMutate = { name ->
 *         client.cancelQueries(userKey)                                    // a refetch in flight must not overwrite us
 *         client.getQueryData<User>(userKey).also { previous ->            // the rollback context
 *             client.setQueryData<User?>(userKey) { it?.copy(name = name) } // optimistic value
 *         }
 *     },
 *     onError = { _, _, previous -> client.setQueryData(userKey, previous) }, // roll back
 *     onSettled = { _, _, _, _ -> client.invalidateQueries(userKey) },        // then the server's truth
 * ))
 * ```
 *
 * A run goes: (wait for its [scope]) → [onMutate] → [mutationFn], retried as [retry] says →
 * [onSuccess] → invalidate [invalidates] → [onSettled]; or, on failure of `onMutate` or of the
 * last attempt, [onError] → [onSettled]. The value `onMutate` returns is the context passed to
 * the other callbacks (`null` if it failed or there is none). Exceptions thrown by `onSuccess`,
 * `onError` and `onSettled` are logged and never change the outcome nor re-run [mutationFn];
 * one thrown by `onMutate` fails the run without running [mutationFn]. The client's
 * [MutationCacheCallbacks] run too, each just before the callback of the same kind here; the
 * run's state settles after `onSettled`, and the per-call callbacks of `Mutation.mutate` run last.
 *
 * @property mutationFn performs the change; runs in the client's scope.
 * @property onMutate runs first; its result is the rollback context.
 * @property onSuccess called with the result, the variables and the context.
 * @property onError called with the error, the variables and the context.
 * @property onSettled called last, with the result or the error.
 * @param retry retries of a failed [mutationFn] attempt; `null` (unset) takes the matching
 *   [QueryClient.setMutationDefaults] value, else 0. Must be >= 0.
 * @property retryPolicy waits between attempts; `null` takes the matching mutation defaults' policy,
 *   else the client's [QueryClientConfig.retryPolicy].
 * @property mutationKey identifies the mutation for [QueryClient.isMutating] and selects its
 *   defaults by prefix ([QueryClient.setMutationDefaults]); optional.
 * @param invalidates key prefixes invalidated (active queries refetched, awaited) after success;
 *   `null` (unset) takes the matching mutation defaults' list, else none.
 * @property scope mutations with the same scope id run one after another, in submission order;
 *   `null` takes the matching mutation defaults' scope, else runs without waiting.
 * @property gcTime how long a settled run of these options stays in the client's mutation cache
 *   ([QueryClient.mutations]) before it is removed; `null` uses [QueryClientConfig.mutationGcTime]
 *   (5 minutes by default). A run in progress is never removed. [Duration.INFINITE]: kept until
 *   [QueryClient.clear] or [QueryClient.close]; zero: removed as it settles.
 * @property meta free-form data about the mutation (TanStack's `meta`), shown in its runs'
 *   [MutationRun.meta], for the [MutationCacheCallbacks] and cache listeners; never read by the client.
 * @property networkMode how the run treats the network ([NetworkMode]): in `ONLINE`, a run
 *   submitted offline runs [onMutate] (so optimistic updates show at once), then waits, paused
 *   ([MutationState.isPaused]), for the network before its first attempt, and a failed attempt
 *   waits for it before the next; `null` takes the matching mutation defaults' mode, else
 *   [QueryClientConfig.networkMode]. Paused runs continue, in their scopes' order, when the
 *   network comes back, or on [QueryClient.resumePausedMutations].
 * @throws IllegalArgumentException for `retry < 0` or a negative [gcTime].
 */
public class MutationOptions<TData, TVariables, TContext>(
    @get:JvmSynthetic public val mutationFn: suspend (TVariables) -> TData,
    @get:JvmSynthetic public val onMutate: (suspend (TVariables) -> TContext)? = null,
    @get:JvmSynthetic public val onSuccess: (suspend (TData, TVariables, TContext?) -> Unit)? = null,
    @get:JvmSynthetic public val onError: (suspend (Throwable, TVariables, TContext?) -> Unit)? = null,
    @get:JvmSynthetic public val onSettled: (suspend (TData?, Throwable?, TVariables, TContext?) -> Unit)? = null,
    retry: Int? = null,
    public val retryPolicy: RetryPolicy? = null,
    public val mutationKey: QueryKey? = null,
    invalidates: List<QueryKey>? = null,
    public val scope: String? = null,
    @get:JvmSynthetic public val gcTime: Duration? = null,
    public val meta: Map<String, Any?> = emptyMap(),
    public val networkMode: NetworkMode? = null,
) {
    /** [gcTime] in ms, or -1 for "client default". */
    internal val gcTimeMillis: Long = gcTime?.let { durationMillis(it, "gcTime") } ?: -1L

    /** `retry` as given; `null` when unset. */
    internal val retryOrNull: Int? = retry?.let(::checkRetry)

    /** `invalidates` as given; `null` when unset. */
    internal val invalidatesOrNull: List<QueryKey>? = invalidates

    /** Retries of a failed [mutationFn] attempt (>= 0); 0 when unset. */
    public val retry: Int = retry ?: 0

    /** Key prefixes invalidated (active queries refetched, awaited) after success; empty when unset. */
    public val invalidates: List<QueryKey> = invalidates ?: emptyList()

    /** These options with their unset fields taken from [defaults] (already merged for the key). */
    internal fun withDefaults(defaults: MutationDefaults<*, *>): MutationOptions<TData, TVariables, TContext> =
        MutationOptions(
            mutationFn, onMutate, onSuccess, onError, onSettled,
            retryOrNull ?: defaults.retry,
            retryPolicy ?: defaults.retryPolicy,
            mutationKey,
            invalidatesOrNull ?: defaults.invalidates,
            scope ?: defaults.scope,
            gcTime,
            meta,
            networkMode ?: defaults.networkMode,
        )

    /** [gcTime] for Java callers; `null` when the client's [QueryClientConfig.mutationGcTime] applies. */
    public val gcTimeDuration: java.time.Duration? get() = gcTime?.toJavaDuration()

    override fun toString(): String =
        "MutationOptions(mutationKey=$mutationKey, retry=$retry, invalidates=$invalidates, scope=$scope, " +
            "gcTime=$gcTime, meta=$meta, networkMode=$networkMode)"

    /**
     * Builds [MutationOptions] from Java. Setters validate eagerly and return the builder.
     *
     * ```java
     * MutationOptions<User, String, User> rename = MutationOptions.<User, String, User>builder(name -> api.renameAsync(42, name))
     *     .onMutate(name -> { User previous = client.getQueryData(key); client.setQueryData(key, previous.withName(name)); return previous; })
     *     .onError((error, name, previous) -> client.setQueryData(key, previous))
     *     .invalidates(QueryKey.of("user"))
     *     .build();
     * ```
     */
    public class Builder<TData, TVariables, TContext> internal constructor(
        private val mutationFn: suspend (TVariables) -> TData,
    ) {
        private var onMutate: (suspend (TVariables) -> TContext)? = null
        private var onSuccess: (suspend (TData, TVariables, TContext?) -> Unit)? = null
        private var onError: (suspend (Throwable, TVariables, TContext?) -> Unit)? = null
        private var onSettled: (suspend (TData?, Throwable?, TVariables, TContext?) -> Unit)? = null
        private var retry: Int? = null
        private var retryPolicy: RetryPolicy? = null
        private var mutationKey: QueryKey? = null
        private var invalidates: List<QueryKey>? = null
        private var scope: String? = null
        private var gcTime: Duration? = null
        private var meta: Map<String, Any?> = emptyMap()
        private var networkMode: NetworkMode? = null

        /** See [MutationOptions.onMutate]; runs on the client's thread, its result is the context. */
        public fun onMutate(onMutate: Function<TVariables, TContext>): Builder<TData, TVariables, TContext> =
            apply { this.onMutate = { onMutate.apply(it) } }

        /** Like [onMutate], for work that completes later (cancelling queries, say). */
        public fun onMutateAsync(
            onMutate: Function<TVariables, CompletionStage<TContext>>,
        ): Builder<TData, TVariables, TContext> = apply { this.onMutate = { onMutate.apply(it).await() } }

        /** See [MutationOptions.onSuccess]. */
        public fun onSuccess(
            callback: MutationSuccessCallback<TData, TVariables, TContext>,
        ): Builder<TData, TVariables, TContext> =
            apply { onSuccess = { data, variables, context -> callback.onSuccess(data, variables, context) } }

        /** See [MutationOptions.onError]. */
        public fun onError(
            callback: MutationErrorCallback<TVariables, TContext>,
        ): Builder<TData, TVariables, TContext> =
            apply { onError = { error, variables, context -> callback.onError(error, variables, context) } }

        /** See [MutationOptions.onSettled]. */
        public fun onSettled(
            callback: MutationSettledCallback<TData, TVariables, TContext>,
        ): Builder<TData, TVariables, TContext> = apply {
            onSettled =
                { data, error, variables, context -> callback.onSettled(data, error, variables, context) }
        }

        /**
         * Like [onSuccess], for work the run should wait for (an invalidation through
         * [dev.stackquery.future.FutureQueryClient], say): the run settles once the stage completes.
         */
        public fun onSuccessAsync(
            callback: AsyncMutationSuccessCallback<TData, TVariables, TContext>,
        ): Builder<TData, TVariables, TContext> =
            apply { onSuccess = { data, variables, context -> callback.onSuccess(data, variables, context).await() } }

        /** Like [onError], waiting for the stage it returns (a rollback that writes through, say). */
        public fun onErrorAsync(
            callback: AsyncMutationErrorCallback<TVariables, TContext>,
        ): Builder<TData, TVariables, TContext> =
            apply { onError = { error, variables, context -> callback.onError(error, variables, context).await() } }

        /** Like [onSettled], waiting for the stage it returns (the invalidation that follows a mutation, say). */
        public fun onSettledAsync(
            callback: AsyncMutationSettledCallback<TData, TVariables, TContext>,
        ): Builder<TData, TVariables, TContext> = apply {
            onSettled =
                { data, error, variables, context -> callback.onSettled(data, error, variables, context).await() }
        }

        /** See [MutationOptions.retry]. */
        public fun retry(retry: Int): Builder<TData, TVariables, TContext> = apply {
            this.retry = checkRetry(retry)
        }

        /** See [MutationOptions.retryPolicy]. */
        public fun retryPolicy(policy: RetryPolicy): Builder<TData, TVariables, TContext> =
            apply { retryPolicy = policy }

        /** See [MutationOptions.mutationKey]. */
        public fun mutationKey(key: QueryKey): Builder<TData, TVariables, TContext> = apply { mutationKey = key }

        /** See [MutationOptions.invalidates]. */
        public fun invalidates(vararg prefixes: QueryKey): Builder<TData, TVariables, TContext> =
            apply { invalidates = prefixes.toList() }

        /** See [MutationOptions.scope]. */
        public fun scope(id: String): Builder<TData, TVariables, TContext> = apply { scope = id }

        /** See [MutationOptions.gcTime]. */
        public fun gcTime(gcTime: java.time.Duration): Builder<TData, TVariables, TContext> = apply {
            this.gcTime = gcTime.toKotlinDuration().also { durationMillis(it, "gcTime") }
        }

        /** See [MutationOptions.meta]; the map is copied. */
        public fun meta(meta: Map<String, Any?>): Builder<TData, TVariables, TContext> =
            apply { this.meta = LinkedHashMap(meta) }

        /** See [MutationOptions.networkMode]. */
        public fun networkMode(mode: NetworkMode): Builder<TData, TVariables, TContext> = apply { networkMode = mode }

        /** The options set so far. */
        public fun build(): MutationOptions<TData, TVariables, TContext> = MutationOptions(
            mutationFn, onMutate, onSuccess, onError, onSettled, retry, retryPolicy, mutationKey, invalidates, scope,
            gcTime, meta, networkMode,
        )
    }

    public companion object {
        /** A [Builder] for a mutation whose function returns a `CompletionStage`. */
        @JvmStatic
        public fun <TData, TVariables, TContext> builder(
            mutationFn: AsyncMutationFunction<TVariables, TData>,
        ): Builder<TData, TVariables, TContext> = Builder { mutationFn.mutate(it).await() }

        /** A [Builder] for a mutation whose function blocks (JDBC, say): it runs on [executor]. */
        @JvmStatic
        public fun <TData, TVariables, TContext> builder(
            mutationFn: BlockingMutationFunction<TVariables, TData>,
            executor: Executor,
        ): Builder<TData, TVariables, TContext> {
            val dispatcher = executor.asCoroutineDispatcher()
            return Builder { variables -> runInterruptible(dispatcher) { mutationFn.mutate(variables) } }
        }
    }
}
