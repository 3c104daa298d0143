package dev.stackquery.devtools.internal

import dev.stackquery.QueryClient
import dev.stackquery.QuerySnapshot
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonObject
import kotlinx.serialization.json.buildJsonObject
import kotlinx.serialization.json.put

/**
 * A query's data as the detail shows it, `{"kind": …}`:
 * - `json` (with `json`: the JSON its codec writes) when its options have a codec;
 * - `text` (with `text`: its `toString()`) without a codec, only when the options allow it;
 * - `hidden` without a codec otherwise; `none` when it has no data;
 * - `error` (with `error`) when the codec failed or wrote something that is not JSON.
 */
internal object QueryData {
    /** The longest `toString()` shown, in chars; longer text is cut and marked. */
    const val MAX_TEXT = 100_000

    fun render(client: QueryClient, snapshot: QuerySnapshot, showDataWithoutCodec: Boolean): JsonObject {
        val state = snapshot.state
        if (!state.hasData) return kind("none")
        if (snapshot.isPersisted) {
            return try {
                val text = client.getQueryDataJson(snapshot.queryKey) ?: return kind("none")
                buildJsonObject {
                    put("kind", "json")
                    put("json", Json.parseToJsonElement(text))
                }
            } catch (e: Exception) {
                failed(e)
            }
        }
        if (!showDataWithoutCodec) return kind("hidden")
        val text = try {
            state.data.toString()
        } catch (e: Exception) {
            return buildJsonObject {
                put("kind", "error")
                put("error", "toString() of the data failed: ${describe(e)}")
            }
        }
        return buildJsonObject {
            put("kind", "text")
            put("text", if (text.length > MAX_TEXT) text.take(MAX_TEXT) + "… (cut at $MAX_TEXT chars)" else text)
        }
    }

    private fun kind(kind: String): JsonObject = buildJsonObject { put("kind", kind) }

    /** The codec threw, or wrote text that is not JSON. */
    private fun failed(e: Exception): JsonObject = buildJsonObject {
        put("kind", "error")
        put("error", "the codec could not encode the data: ${describe(e)}")
    }
}
