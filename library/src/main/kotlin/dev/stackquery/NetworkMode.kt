package dev.stackquery

/**
 * How a query's fetch or a mutation's run treats the network, as the client's [OnlineManager]
 * reports it (TanStack Query's `networkMode`). Set for every query and mutation with
 * `QueryClientConfig(networkMode = …)`, and per query or mutation with their `networkMode`.
 *
 * While a fetch waits for the network its state is [FetchStatus.PAUSED] ([QueryState.isPaused];
 * a mutation's [MutationState.isPaused]); no attempt runs and none is counted. Whatever the mode,
 * retries also wait while the application is not focused ([FocusManager]), as TanStack's do.
 */
public enum class NetworkMode {
    /**
     * The default: no attempt while offline. A fetch (or mutation) started offline is paused
     * before its first attempt, a failed one pauses before its next retry, and it continues when
     * the network is back.
     */
    ONLINE,

    /** Ignore the network: every attempt runs (for local work, or a data source that needs no network). */
    ALWAYS,

    /**
     * The first attempt runs whatever the network (a service worker, an HTTP cache or a local
     * store may answer it); retries pause while offline, as in [ONLINE].
     */
    OFFLINE_FIRST,
}
