@file:JvmName("DependentQueries")

package dev.stackquery

/**
 * Fetches [dependsOn], then the query [then] builds from its result, each like
 * [QueryClient.fetchQuery], and returns the second result. A failure of either is thrown.
 *
 * ```kotlin
 * val posts = client.dependentQuery(dependsOn = meOptions) { me -> postsOptions(me.id) }
 * ```
 */
public suspend fun <T, R> QueryClient.dependentQuery(dependsOn: QueryOptions<T>, then: (T) -> QueryOptions<R>): R =
    fetchQuery(then(fetchQuery(dependsOn)))
