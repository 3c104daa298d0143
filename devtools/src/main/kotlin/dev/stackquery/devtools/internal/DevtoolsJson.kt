package dev.stackquery.devtools.internal

import dev.stackquery.MutationRun
import dev.stackquery.QuerySnapshot
import dev.stackquery.QueryStats
import dev.stackquery.storage.StorageStats
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonObjectBuilder
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.buildJsonArray
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put

/** The JSON documents of the devtools API (times are epoch ms of the client's clock). */
internal object DevtoolsJson {
    /** One row of the query list: [snapshot] as of [now]. */
    fun query(snapshot: QuerySnapshot, now: Long): JsonObject = buildJsonObject { putQuery(snapshot, now) }

    fun JsonObjectBuilder.putQuery(snapshot: QuerySnapshot, now: Long) {
        val state = snapshot.state
        put("key", snapshot.queryKey.toString())
        put("status", state.status.name)
        put("fetchStatus", state.fetchStatus.name)
        put("hasData", state.hasData)
        put("dataUpdatedAt", state.dataUpdatedAt)
        put("dataAgeMillis", if (state.dataUpdatedAt > 0) now - state.dataUpdatedAt else null)
        put("stale", state.isStale)
        put("invalidated", state.isInvalidated)
        put("observers", snapshot.observerCount)
        put("gcDeadline", snapshot.gcDeadline)
        put("gcInMillis", snapshot.gcDeadline?.let { it - now })
        put("lastFetchReason", snapshot.lastFetchReason?.name)
        put("failureCount", state.failureCount)
        put("error", state.error?.let(::describe))
        put("persisted", snapshot.isPersisted)
        put("hasQueryFunction", snapshot.hasQueryFunction)
        put("enabled", snapshot.enabled)
        put("staleTimeMillis", millisOrNull(snapshot.staleTime.toMillis()))
        put("staticStaleTime", snapshot.staleTime.isStatic)
        put("gcTimeMillis", millisOrNull(snapshot.gcTimeMillis))
    }

    fun history(entries: List<HistoryEntry>): JsonArray = buildJsonArray {
        for (e in entries) {
            add(
                buildJsonObject {
                    put("at", e.at)
                    put("status", e.status)
                    put("fetchStatus", e.fetchStatus)
                    put("dataUpdatedAt", e.dataUpdatedAt)
                    put("failureCount", e.failureCount)
                    put("invalidated", e.isInvalidated)
                    put("stale", e.isStale)
                    put("error", e.error)
                },
            )
        }
    }

    fun mutation(run: MutationRun): JsonObject = buildJsonObject {
        val state = run.state
        put("id", run.mutationId)
        put("mutationKey", run.mutationKey?.toString())
        put("status", run.status.name)
        put("variables", run.variables?.toString())
        put("failureCount", state.failureCount)
        put("submittedAt", run.submittedAt)
        put("settledAt", state.settledAt.takeIf { it > 0 })
        put("error", state.error?.let(::describe))
        put("scope", run.scope)
    }

    fun stats(stats: QueryStats): JsonObject = buildJsonObject {
        put("hits", stats.hits)
        put("staleHits", stats.staleHits)
        put("misses", stats.misses)
        put("fetches", stats.fetches)
        put("fetchFailures", stats.fetchFailures)
        put("dedupJoins", stats.dedupJoins)
        put("retries", stats.retries)
        put("evictions", stats.evictions)
        put("gcRemovals", stats.gcRemovals)
        put("hitRate", stats.hitRate)
    }

    fun storageStats(stats: StorageStats): JsonObject = buildJsonObject {
        put("hits", stats.hits)
        put("staleHits", stats.staleHits)
        put("pendingHits", stats.pendingHits)
        put("misses", stats.misses)
        put("corrupt", stats.corrupt)
        put("writes", stats.writes)
        put("deletes", stats.deletes)
        put("errors", stats.errors)
        put("timeouts", stats.timeouts)
        put("skipped", stats.skipped)
        put("writesDropped", stats.writesDropped)
        put("pendingWrites", stats.pendingWrites)
        put("circuitOpen", stats.circuitOpen)
        put("reads", stats.reads)
        put("averageReadMillis", stats.averageReadLatency.toNanos() / 1_000_000.0)
    }

    fun error(message: String): JsonObject = buildJsonObject { put("error", message) }

    fun array(elements: List<JsonElement>): JsonArray = JsonArray(elements)

    fun text(value: String?): JsonPrimitive = JsonPrimitive(value)

    /** A duration in ms, `null` for `Long.MAX_VALUE` (infinite). */
    private fun millisOrNull(millis: Long): Long? = millis.takeIf { it != Long.MAX_VALUE }
}
