package dev.stackquery

import dev.stackquery.future.AsyncMutationFunction
import dev.stackquery.future.BlockingMutationFunction
import dev.stackquery.internal.checkRetry
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.future.await
import kotlinx.coroutines.runInterruptible
import java.util.concurrent.Executor

/**
 * Options applied to every mutation whose [MutationOptions.mutationKey] starts with a prefix, set
 * with [QueryClient.setMutationDefaults] (TanStack's `setMutationDefaults`). Every field is
 * optional: `null` leaves it to less specific defaults, then to [MutationOptions]' documented
 * default. A value the mutation's own options set always wins.
 *
 * [mutationFn] lets a mutation be made from its key alone, with [QueryClient.mutation]
 * (`client.mutation<User, String>(queryKey("rename"))`): the way to find a mutation's function
 * again from its key (a mutation restored after a restart, say).
 *
 * ```kotlin
 * client.setMutationDefaults(queryKey("rename"), MutationDefaults<User, String>(mutationFn = { name -> api.rename(name) }, retry = 2))
 * ```
 *
 * @property mutationFn the function of a mutation made by [QueryClient.mutation] from its key;
 *   unused by mutations made from options (they carry their own).
 * @property retry see [MutationOptions.retry].
 * @property retryPolicy see [MutationOptions.retryPolicy].
 * @property invalidates see [MutationOptions.invalidates].
 * @property scope see [MutationOptions.scope].
 * @property networkMode see [MutationOptions.networkMode].
 * @throws IllegalArgumentException for `retry < 0`.
 */
public class MutationDefaults<TData, TVariables>(
    @get:JvmSynthetic public val mutationFn: (suspend (TVariables) -> TData)? = null,
    public val retry: Int? = null,
    public val retryPolicy: RetryPolicy? = null,
    public val invalidates: List<QueryKey>? = null,
    public val scope: String? = null,
    public val networkMode: NetworkMode? = null,
) {
    init {
        retry?.let(::checkRetry)
    }

    /** These defaults with [over]'s set fields on top (the result of merging [over] after these). */
    @Suppress("UNCHECKED_CAST") // defaults of one key family share their types: the caller names them
    internal fun then(over: MutationDefaults<*, *>): MutationDefaults<TData, TVariables> = MutationDefaults(
        (over.mutationFn ?: mutationFn) as (suspend (TVariables) -> TData)?,
        over.retry ?: retry,
        over.retryPolicy ?: retryPolicy,
        over.invalidates ?: invalidates,
        over.scope ?: scope,
        over.networkMode ?: networkMode,
    )

    override fun toString(): String =
        "MutationDefaults(hasMutationFn=${mutationFn != null}, retry=$retry, invalidates=$invalidates, scope=$scope, " +
            "networkMode=$networkMode)"

    /** Builds [MutationDefaults] from Java; setters validate eagerly and return the builder. */
    public class Builder<TData, TVariables> internal constructor() {
        private var mutationFn: (suspend (TVariables) -> TData)? = null
        private var retry: Int? = null
        private var retryPolicy: RetryPolicy? = null
        private var invalidates: List<QueryKey>? = null
        private var scope: String? = null
        private var networkMode: NetworkMode? = null

        /** See [MutationDefaults.mutationFn], for a function that returns a `CompletionStage`. */
        public fun mutationFn(function: AsyncMutationFunction<TVariables, TData>): Builder<TData, TVariables> =
            apply { mutationFn = { variables -> function.mutate(variables).await() } }

        /** See [MutationDefaults.mutationFn], for a function that blocks: it runs on [executor]. */
        public fun mutationFn(
            function: BlockingMutationFunction<TVariables, TData>,
            executor: Executor,
        ): Builder<TData, TVariables> = apply {
            val dispatcher = executor.asCoroutineDispatcher()
            mutationFn = { variables -> runInterruptible(dispatcher) { function.mutate(variables) } }
        }

        /** See [MutationDefaults.retry]. */
        public fun retry(retry: Int): Builder<TData, TVariables> = apply { this.retry = checkRetry(retry) }

        /** See [MutationDefaults.retryPolicy]. */
        public fun retryPolicy(policy: RetryPolicy): Builder<TData, TVariables> = apply { retryPolicy = policy }

        /** See [MutationDefaults.invalidates]. */
        public fun invalidates(vararg prefixes: QueryKey): Builder<TData, TVariables> =
            apply { invalidates = prefixes.toList() }

        /** See [MutationDefaults.scope]. */
        public fun scope(id: String): Builder<TData, TVariables> = apply { scope = id }

        /** See [MutationDefaults.networkMode]. */
        public fun networkMode(mode: NetworkMode): Builder<TData, TVariables> = apply { networkMode = mode }

        /** The defaults set so far. */
        public fun build(): MutationDefaults<TData, TVariables> =
            MutationDefaults(mutationFn, retry, retryPolicy, invalidates, scope, networkMode)
    }

    public companion object {
        /** A [Builder] with nothing set. */
        @JvmStatic
        public fun <TData, TVariables> builder(): Builder<TData, TVariables> = Builder()
    }
}
