package dev.stackquery.internal.persistence

import dev.stackquery.internal.JsonEscapes
import dev.stackquery.internal.KotlinxCodec
import dev.stackquery.internal.isFatal
import dev.stackquery.storage.CodecException
import dev.stackquery.storage.QueryCodec
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull
import kotlinx.serialization.json.longOrNull

/**
 * The stored form of a query: `{"v":1,"data":…,"dataUpdatedAt":…,"invalidated":…}`, plus
 * `"buster":"…"` when the client has one. `data` is the query codec's JSON text, embedded as is
 * but for unpaired surrogates, which are escaped (see [JsonEscapes]) so the entry survives UTF-8.
 */
internal object Envelope {
    const val VERSION: Int = 1

    /**
     * The envelope of [data] as [codec] encodes it (checked to be JSON text unless the codec is
     * kotlinx.serialization's).
     *
     * @throws CodecException when the codec fails (with anything but a fatal error, see
     *   [isFatal]: a `StackOverflowError` on a cyclic object is a codec failure) or its output is
     *   not JSON.
     */
    fun <T> encode(codec: QueryCodec<T>, data: T, dataUpdatedAt: Long, invalidated: Boolean, buster: String): String {
        val dataJson = try {
            codec.encode(data)
        } catch (e: Throwable) {
            if (e.isFatal()) throw e
            throw CodecException("the codec could not encode the data", e)
        }
        if (codec !is KotlinxCodec<*>) {
            val parsed = try {
                Json.parseToJsonElement(dataJson)
            } catch (e: Exception) {
                throw CodecException("the codec's output is not JSON text: ${dataJson.take(80)}", e)
            }
            if (!isStrictJson(parsed)) throw CodecException("the codec's output is not JSON text: ${dataJson.take(80)}")
        }
        val out = StringBuilder(dataJson.length + 64).append("{\"v\":").append(VERSION).append(",\"data\":")
            .append(dataJson).append(",\"dataUpdatedAt\":").append(dataUpdatedAt)
            .append(",\"invalidated\":").append(invalidated)
        if (buster.isNotEmpty()) out.append(",\"buster\":").append(JsonPrimitive(buster).toString())
        return JsonEscapes.escapeUnpairedSurrogates(out.append('}').toString())
    }

    /**
     * Whether every literal in [element] is one JSON allows: kotlinx.serialization's parser also
     * takes bare tokens (`hello`, `NaN`, `name=ann`) as unquoted literals, which no other reader would.
     */
    private fun isStrictJson(element: JsonElement): Boolean = when (element) {
        is JsonObject -> element.values.all(::isStrictJson)
        is JsonArray -> element.all(::isStrictJson)
        is JsonPrimitive -> element.isString || element.content in LITERALS || JSON_NUMBER.matches(element.content)
    }

    private val LITERALS = setOf("true", "false", "null")
    private val JSON_NUMBER = Regex("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?")

    /**
     * The entry [text] holds, or `null` when it was written under another envelope version or
     * [buster] (to be ignored and deleted). A `dataUpdatedAt` after [nowMillis] (another
     * machine's clock ahead of ours) reads as [nowMillis], so the entry ages from now instead of
     * staying fresh until that time.
     *
     * @throws CodecException when [text] is not an envelope (a field missing or of the wrong
     *   type: `"invalidated":"yes"` is not `false`) or [codec] cannot read its data.
     */
    fun <T> decode(text: String, buster: String, codec: QueryCodec<T>, nowMillis: Long): Persisted<T>? {
        val envelope = try {
            Json.parseToJsonElement(text) as? JsonObject
        } catch (e: Exception) {
            throw CodecException("the stored entry is not JSON", e)
        } ?: throw CodecException("the stored entry is not a JSON object")
        val version = (envelope["v"] as? JsonPrimitive)?.longOrNull
            ?: throw CodecException("the stored entry has no envelope version")
        if (version != VERSION.toLong()) return null
        val storedBuster = (envelope["buster"] as? JsonPrimitive)?.takeIf { it.isString }?.content ?: ""
        if (storedBuster != buster) return null
        val dataUpdatedAt = (envelope["dataUpdatedAt"] as? JsonPrimitive)?.longOrNull
            ?: throw CodecException("the stored entry has no dataUpdatedAt")
        val invalidated = when (val field = envelope["invalidated"]) {
            null -> false
            else -> (field as? JsonPrimitive)?.takeUnless { it.isString }?.booleanOrNull
                ?: throw CodecException("the stored entry's invalidated is not a boolean: $field")
        }
        val element: JsonElement = envelope["data"] ?: throw CodecException("the stored entry has no data")
        val data = try {
            if (codec is KotlinxCodec<T>) codec.decode(element) else codec.decode(element.toString())
        } catch (e: Throwable) {
            if (e.isFatal()) throw e
            throw CodecException("the codec could not read the stored data", e)
        }
        return Persisted(data, minOf(dataUpdatedAt, nowMillis), invalidated)
    }
}

/**
 * A query's data as persisted: what hydration restores. [pending] when it was read from the
 * client's own write still waiting for the writer, not from the storage.
 */
internal class Persisted<T>(
    val data: T,
    val dataUpdatedAt: Long,
    val invalidated: Boolean,
    val pending: Boolean = false,
)
