package dev.stackquery

/**
 * Observers for [QueryObserverJavaTest]: `QueryOptions` cannot be built from plain Java yet (its
 * constructor takes a Kotlin suspend function, `kotlin.time.Duration`s and default arguments), a
 * gap the Java-facade issue will close.
 */
object JavaTestSupport {
    /** A disabled observer of [key]: it never fetches, so it shows what `setQueryData` writes. */
    @JvmStatic
    fun observerOf(client: QueryClient, key: QueryKey): QueryObserver<String> =
        client.watch(QueryOptions(key, { "fetched" }, enabled = false))

    /** An enabled observer of [key] with [placeholder] as its placeholder data. */
    @JvmStatic
    fun placeholderObserverOf(client: QueryClient, key: QueryKey, placeholder: String): QueryObserver<String> =
        client.watch(QueryOptions(key, { "fetched" }, placeholderData = placeholder))
}
