package dev.stackquery

import dev.stackquery.storage.QueryCodec
import kotlinx.serialization.serializer
import kotlin.time.Duration

/**
 * [InfiniteQueryOptions] whose pages are persisted in the client's L2 storage with
 * kotlinx.serialization: the codec is [InfiniteData.codec] of `QueryCodec.kotlinx(serializer<T>())`
 * and `QueryCodec.kotlinx(serializer<P>())`, so [T] and [P] must be serializable. Every parameter
 * means what it means on [InfiniteQueryOptions].
 *
 * @throws kotlinx.serialization.SerializationException when [T] or [P] has no serializer.
 */
public inline fun <reified T, reified P> infiniteQueryOptions(
    queryKey: QueryKey,
    noinline queryFn: suspend (pageParam: P) -> T,
    initialPageParam: P,
    getNextPageParam: PageParamFunction<T, P>,
    getPreviousPageParam: PageParamFunction<T, P>? = null,
    maxPages: Int? = null,
    staleTime: Duration? = null,
    gcTime: Duration? = null,
    retry: Int? = null,
    retryPolicy: RetryPolicy? = null,
    enabled: Boolean? = null,
    refetchInterval: Duration? = null,
    refetchOnSubscribe: RefetchTrigger? = null,
    refetchOnFocus: RefetchTrigger? = null,
    refetchOnReconnect: RefetchTrigger? = null,
    networkMode: NetworkMode? = null,
    codec: QueryCodec<InfiniteData<T, P>> =
        InfiniteData.codec(QueryCodec.kotlinx(serializer<T>()), QueryCodec.kotlinx(serializer<P>())),
    meta: Map<String, Any?>? = null,
): InfiniteQueryOptions<T, P> = InfiniteQueryOptions(
    queryKey, queryFn, initialPageParam, getNextPageParam, getPreviousPageParam, maxPages, staleTime, gcTime, retry,
    retryPolicy, enabled, refetchInterval, refetchOnSubscribe, refetchOnFocus, refetchOnReconnect, networkMode, codec,
    meta,
)
