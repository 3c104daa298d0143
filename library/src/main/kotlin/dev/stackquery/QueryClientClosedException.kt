package dev.stackquery

/** Thrown by a [QueryClient] operation that needs a fetch after the client was [closed][QueryClient.close]. */
public class QueryClientClosedException internal constructor() :
    IllegalStateException("the QueryClient is closed")
