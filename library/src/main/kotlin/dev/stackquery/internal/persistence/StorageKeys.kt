package dev.stackquery.internal.persistence

import dev.stackquery.QueryKey
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonElement
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull

/**
 * The one place that knows how a query key is written as text for the L2 tier and for sync
 * messages: `namespace + key.toString()`, the key's canonical JSON array (see [QueryKey]).
 *
 * Prefix deletion works on text: the keys under `["user",4` are `["user",4]` (the exact key,
 * see [exact]) and every key that continues it with `,` ([underPrefix]); never `["user",42]`.
 */
internal class StorageKeys(private val namespace: String) {
    /** The storage key of [key]. */
    fun of(key: QueryKey): String = namespace + key.toString()

    /**
     * The storage-key prefixes whose entries are the keys under [prefix], [prefix] itself aside
     * (delete [of] `prefix` too). Every one ends with `[` or `,` (see [coveringPrefixes]).
     */
    fun underPrefix(prefix: QueryKey): String {
        if (prefix.size == 0) return "$namespace["
        val text = prefix.toString()
        return namespace + text.substring(0, text.length - 1) + ","
    }

    /** Whether the prefix deletion also removes the exact key [prefix] (not for the empty key, which has no entry). */
    fun deletesExact(prefix: QueryKey): Boolean = prefix.size > 0

    companion object {
        /**
         * Calls [visit] with every prefix of [storageKey] that a prefix deletion can use (those
         * ending with `[` or `,`), shortest first, until it returns non-null; returns that.
         */
        inline fun <R : Any> coveringPrefixes(storageKey: String, visit: (String) -> R?): R? {
            for (i in storageKey.indices) {
                val c = storageKey[i]
                if (c == '[' || c == ',') visit(storageKey.substring(0, i + 1))?.let { return it }
            }
            return null
        }

        /**
         * The key whose canonical text is [text] (the inverse of [QueryKey.toString]).
         *
         * @throws IllegalArgumentException (or a serialization exception) when [text] is not one.
         */
        fun parse(text: String): QueryKey = fromJson(Json.parseToJsonElement(text))

        /** The key [json], a key's canonical JSON array already parsed, stands for. */
        fun fromJson(json: JsonElement): QueryKey {
            val segments = (json as JsonArray).map<_, Any> { element ->
                val primitive = element as JsonPrimitive
                when {
                    primitive.isString -> primitive.content
                    primitive.booleanOrNull != null -> primitive.booleanOrNull!!
                    primitive.content.any { it == '.' || it == 'e' || it == 'E' } -> primitive.content.toDouble()
                    else -> primitive.content.toLong()
                }
            }
            return QueryKey.of(*segments.toTypedArray())
        }
    }
}
