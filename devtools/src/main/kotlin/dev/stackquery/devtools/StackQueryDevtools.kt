package dev.stackquery.devtools

import dev.stackquery.QueryClient
import dev.stackquery.devtools.internal.DevtoolsServer

/**
 * A live inspector page of one [QueryClient], served over HTTP while this handle is open: the
 * queries (`client.queries(filter)`: key, status, fetch status, data age, staleness, observers,
 * gc deadline, last fetch reason, failures), filterable by key prefix; one query's data (as JSON
 * when its options have a codec) and its last state changes; the mutation runs; `stats()` and
 * `storageStats()`; and the actions invalidate, refetch, reset and remove, by key or prefix. The
 * page updates itself from server-sent events as the cache changes.
 *
 * **Safe by default.** The server binds to `127.0.0.1` unless [StackQueryDevtoolsOptions.host]
 * says otherwise, and every request must carry the random access [token] (a `token` query
 * parameter or an `X-StackQuery-Token` header): `401` without one, `403` with a wrong one. [url]
 * holds it; [start] logs it once (SLF4J, logger `dev.stackquery.devtools.StackQueryDevtools`, at
 * INFO). Actions can be turned off ([StackQueryDevtoolsOptions.readOnly]: `403`), and the data of
 * a query without a codec is hidden unless [StackQueryDevtoolsOptions.showDataWithoutCodec].
 *
 * The server is the JDK's `com.sun.net.httpserver.HttpServer` on daemon threads of its own (one
 * per request, and one per open page for its event stream, at most 16 streams); the client's
 * events are collected by a coroutine of its own on `Dispatchers.Default`. Closing the handle stops
 * the server, ends the open event streams and stops listening to the client; it does not close the
 * client. Closing the client first leaves the page showing an empty cache. Thread-safe.
 *
 * ```kotlin
 * StackQueryDevtools.start(client).use { devtools ->
 *     println("inspect the cache at ${devtools.url}")
 *     runApplication()
 * }
 * ```
 * ```java
 * try (StackQueryDevtools devtools = StackQueryDevtools.start(client,
 *         StackQueryDevtoolsOptions.builder().readOnly(true).build())) {
 *     System.out.println("inspect the cache at " + devtools.getUrl());
 * }
 * ```
 */
public class StackQueryDevtools private constructor(
    /** The client inspected. */
    public val client: QueryClient,
    /** The options the page is served with. */
    public val options: StackQueryDevtoolsOptions,
) : AutoCloseable {
    private val server = DevtoolsServer(client, options)

    /** The TCP port the server listens on (the one chosen by the system when the options said 0). */
    public val port: Int get() = server.port

    /** The access token every request must carry: 32 random bytes (`SecureRandom`), base64url. */
    public val token: String get() = server.token

    /** The page's address, token included, for example `http://127.0.0.1:41213/?token=…`. */
    public val url: String get() = server.url

    /** Whether [close] was called. */
    public val isClosed: Boolean get() = server.isClosed

    /** Stops the server and ends the open event streams. Idempotent; does not close [client]. */
    override fun close() {
        server.close()
    }

    override fun toString(): String = "StackQueryDevtools(url=http://${options.host}:$port/, closed=$isClosed)"

    public companion object {
        /**
         * Starts serving the inspector page of [client] with [options] and returns its handle
         * (close it to stop). The page's [url] is logged once at INFO.
         *
         * @throws java.io.IOException when the server cannot bind (the port is taken, the host is
         *   not an address of this machine).
         */
        @JvmStatic
        @JvmOverloads
        public fun start(
            client: QueryClient,
            options: StackQueryDevtoolsOptions = StackQueryDevtoolsOptions.DEFAULT,
        ): StackQueryDevtools = StackQueryDevtools(client, options)
    }
}
