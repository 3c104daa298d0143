package dev.stackquery.devtools.internal

import com.sun.net.httpserver.HttpExchange
import dev.stackquery.QueryClient
import dev.stackquery.QueryFilter
import dev.stackquery.QueryKey
import dev.stackquery.devtools.StackQueryDevtoolsOptions
import dev.stackquery.devtools.internal.DevtoolsJson.putQuery
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.cancel
import kotlinx.coroutines.launch
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put

/**
 * The page and the JSON API (every path but the event stream), after the token was checked:
 *
 * - `GET /` the page; `GET /devtools.js`, `GET /devtools.css` its script and style;
 * - `GET /api/info` the options the page needs;
 * - `GET /api/queries[?prefix=<key>]` the queries, optionally those under a key prefix;
 * - `GET /api/query?key=<key>` one query's detail: its row, data and state history;
 * - `GET /api/mutations` the mutation runs; `GET /api/stats` `stats()` and `storageStats()`;
 * - `POST /api/{invalidate,refetch,reset,remove}?key=<key>[&exact=true]` the actions, on every
 *   query under the key (`[]`: all), or on that key only with `exact=true`; `403` in read-only mode.
 *
 * A key is its canonical text (`["user",42]`), URL-encoded. Actions that suspend (invalidate,
 * refetch, reset) are started and answered `202 Accepted` once their synchronous part is done
 * (the queries are flagged or reset); the refetches they cause finish later, as the page sees.
 */
internal class ApiRoutes(
    private val client: QueryClient,
    private val options: StackQueryDevtoolsOptions,
    private val history: StateHistory,
    private val token: String,
) {
    private val actions = CoroutineScope(SupervisorJob() + Dispatchers.Default)

    fun route(exchange: HttpExchange) {
        val method = exchange.requestMethod
        val path = exchange.requestURI.path
        val isRead = method == "GET" || method == "HEAD"
        try {
            when {
                path in ACTIONS -> if (method ==
                    "POST"
                ) {
                    action(exchange, path.removePrefix("/api/"))
                } else {
                    notAllowed(exchange, "POST")
                }
                !isRead -> if (path in READS ||
                    path in Assets.PATHS
                ) {
                    notAllowed(exchange, "GET")
                } else {
                    notFound(exchange)
                }
                path in Assets.PATHS -> Assets.serve(exchange, path, token)
                path == "/api/info" -> Responses.json(exchange, 200, info())
                path == "/api/queries" -> Responses.json(exchange, 200, queries(exchange))
                path == "/api/query" -> detail(exchange)
                path == "/api/mutations" -> Responses.json(exchange, 200, mutations())
                path == "/api/stats" -> Responses.json(exchange, 200, stats())
                else -> notFound(exchange)
            }
        } catch (e: IllegalArgumentException) {
            Responses.json(exchange, 400, DevtoolsJson.error(e.message ?: "bad request"))
        }
    }

    private fun info(): JsonElement = buildJsonObject {
        put("readOnly", options.readOnly)
        put("showDataWithoutCodec", options.showDataWithoutCodec)
        put("historySize", options.historySize)
        put("client", client.toString())
    }

    private fun queries(exchange: HttpExchange): JsonElement {
        val prefix = queryParameters(exchange)["prefix"]?.takeIf { it.isNotBlank() }?.let(::parseKey) ?: QueryKey.EMPTY
        val now = client.config.clock.nowMillis()
        val rows = client.queries(QueryFilter.prefix(prefix)).map { DevtoolsJson.query(it, now) }
        return buildJsonObject {
            put("now", now)
            put("prefix", prefix.toString())
            put("queries", DevtoolsJson.array(rows))
        }
    }

    private fun detail(exchange: HttpExchange) {
        val key = parseKey(requireNotNull(queryParameters(exchange)["key"]) { "the key parameter is required" })
        val snapshot = client.queries(QueryFilter.exact(key)).firstOrNull()
        if (snapshot == null) {
            Responses.json(exchange, 404, DevtoolsJson.error("no query is cached under $key"))
            return
        }
        val now = client.config.clock.nowMillis()
        val body = buildJsonObject {
            putQuery(snapshot, now)
            put("now", now)
            put("meta", snapshot.meta.toString())
            put("data", QueryData.render(client, snapshot, options.showDataWithoutCodec))
            put("history", DevtoolsJson.history(history.of(key)))
        }
        Responses.json(exchange, 200, body)
    }

    private fun mutations(): JsonElement =
        buildJsonObject { put("mutations", DevtoolsJson.array(client.mutations().map(DevtoolsJson::mutation))) }

    private fun stats(): JsonElement = buildJsonObject {
        put("stats", DevtoolsJson.stats(client.stats()))
        put("storageStats", client.storageStats()?.let(DevtoolsJson::storageStats) ?: JsonNull)
        put("queryCount", client.queryCount())
        put("fetching", client.isFetching())
        put("mutating", client.isMutating())
    }

    private fun action(exchange: HttpExchange, name: String) {
        if (options.readOnly) {
            Responses.json(exchange, 403, DevtoolsJson.error("read-only mode: actions are turned off"))
            return
        }
        val parameters = queryParameters(exchange)
        val key = parseKey(requireNotNull(parameters["key"]) { "the key parameter is required ([] for every query)" })
        val filter = if (parameters["exact"] == "true") QueryFilter.exact(key) else QueryFilter.prefix(key)
        val matched = client.queryCount(filter)
        when (name) {
            "remove" -> client.removeQueries(filter)
            // Undispatched: flags, resets and fetch starts happen before the answer.
            "invalidate" -> actions.launch(start = CoroutineStart.UNDISPATCHED) { client.invalidateQueries(filter) }
            "refetch" -> actions.launch(start = CoroutineStart.UNDISPATCHED) { client.refetchQueries(filter) }
            "reset" -> actions.launch(start = CoroutineStart.UNDISPATCHED) { client.resetQueries(filter) }
        }
        val body = buildJsonObject {
            put("action", name)
            put("filter", key.toString())
            put("exact", parameters["exact"] == "true")
            put("matched", matched)
        }
        Responses.json(exchange, if (name == "remove") 200 else 202, body)
    }

    private fun notAllowed(exchange: HttpExchange, allowed: String) {
        exchange.responseHeaders.set("Allow", allowed)
        Responses.json(exchange, 405, DevtoolsJson.error("method ${exchange.requestMethod} not allowed: use $allowed"))
    }

    private fun notFound(exchange: HttpExchange) {
        Responses.json(exchange, 404, DevtoolsJson.error("not found: ${exchange.requestURI.path}"))
    }

    /** Cancels the actions still running (their callers only: the fetches they started go on). */
    fun close() {
        actions.cancel()
    }

    private companion object {
        val ACTIONS = setOf("/api/invalidate", "/api/refetch", "/api/reset", "/api/remove")
        val READS = setOf("/api/info", "/api/queries", "/api/query", "/api/mutations", "/api/stats", "/api/events")
    }
}
