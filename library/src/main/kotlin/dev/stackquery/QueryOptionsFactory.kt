package dev.stackquery

import dev.stackquery.storage.QueryCodec
import kotlinx.serialization.serializer
import kotlin.time.Duration

/**
 * [QueryOptions] whose data is persisted in the client's L2 storage with kotlinx.serialization:
 * the codec is `QueryCodec.kotlinx(serializer<T>())`, so [T] must be serializable (a
 * `@Serializable` class, a primitive, a `String`, or collections of those).
 *
 * ```kotlin
 * @Serializable data class User(val id: Long, val name: String)
 * val userOptions = queryOptions(queryKey("user", 42), queryFn = { api.user(42) }, staleTime = 1.minutes)
 * ```
 * Every parameter means what it means on [QueryOptions]; the codec can still be replaced.
 *
 * @throws kotlinx.serialization.SerializationException when [T] has no serializer.
 */
public inline fun <reified T> queryOptions(
    queryKey: QueryKey,
    noinline queryFn: suspend () -> T,
    staleTime: Duration? = null,
    gcTime: Duration? = null,
    retry: Int? = null,
    retryPolicy: RetryPolicy? = null,
    enabled: Boolean? = null,
    initialData: T? = null,
    initialDataUpdatedAt: Long? = null,
    placeholderData: T? = null,
    refetchInterval: Duration? = null,
    refetchOnSubscribe: RefetchTrigger? = null,
    keepPreviousData: Boolean = false,
    noinline onSuccess: ((T) -> Unit)? = null,
    noinline onError: ((Throwable) -> Unit)? = null,
    noinline onSettled: ((T?, Throwable?) -> Unit)? = null,
    meta: Map<String, Any?>? = null,
    codec: QueryCodec<T> = QueryCodec.kotlinx(serializer<T>()),
    structuralSharing: Boolean? = null,
    noinline structuralSharingFunction: ((old: T, new: T) -> T)? = null,
    notifyOnChange: Set<QueryStateField>? = null,
    noinline staleTimeFunction: ((QueryView<T>) -> StaleTime)? = null,
    noinline enabledFunction: ((QueryView<T>) -> Boolean)? = null,
    noinline refetchIntervalFunction: ((QueryView<T>) -> Duration?)? = null,
    noinline placeholderDataFunction: ((previousData: T?, previousQuery: QueryView<T>?) -> T?)? = null,
    networkMode: NetworkMode? = null,
    refetchOnFocus: RefetchTrigger? = null,
    refetchOnReconnect: RefetchTrigger? = null,
    refetchIntervalInBackground: Boolean? = null,
): QueryOptions<T> = QueryOptions(
    queryKey, queryFn, staleTime, gcTime, retry, retryPolicy, enabled, initialData, initialDataUpdatedAt,
    placeholderData, refetchInterval, refetchOnSubscribe, keepPreviousData, onSuccess, onError, onSettled, meta, codec,
    structuralSharing, structuralSharingFunction, notifyOnChange, staleTimeFunction, enabledFunction,
    refetchIntervalFunction, placeholderDataFunction, networkMode, refetchOnFocus, refetchOnReconnect,
    refetchIntervalInBackground,
)
