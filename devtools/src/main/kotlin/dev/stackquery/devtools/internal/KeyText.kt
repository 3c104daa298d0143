package dev.stackquery.devtools.internal

import dev.stackquery.QueryKey
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonArray
import kotlinx.serialization.json.JsonNull
import kotlinx.serialization.json.JsonPrimitive
import kotlinx.serialization.json.booleanOrNull

/**
 * Reads a query key from its canonical text form (`["user",42]`, as [QueryKey.toString] writes
 * it): a JSON array of strings, integers (read as `Long`), numbers with a fraction or exponent
 * (read as `Double`) and booleans. `[]` is [QueryKey.EMPTY].
 *
 * @throws IllegalArgumentException saying what is wrong with [text].
 */
internal fun parseKey(text: String): QueryKey {
    val element = try {
        Json.parseToJsonElement(text)
    } catch (e: IllegalArgumentException) {
        throw IllegalArgumentException("a key must be a JSON array such as [\"user\",42], was: ${text.take(80)}", e)
    }
    require(element is JsonArray) { "a key must be a JSON array such as [\"user\",42], was: ${text.take(80)}" }
    val segments = element.mapIndexed { index, segment ->
        require(segment is JsonPrimitive && segment !is JsonNull) {
            "key segment $index must be a string, number or boolean, was: $segment"
        }
        segmentOf(segment, index)
    }
    return QueryKey.of(*segments.toTypedArray())
}

private fun segmentOf(segment: JsonPrimitive, index: Int): Any {
    if (segment.isString) return segment.content
    segment.booleanOrNull?.let { return it }
    val content = segment.content
    val isDouble = content.any { it == '.' || it == 'e' || it == 'E' }
    val number: Any? = if (isDouble) content.toDoubleOrNull() else content.toLongOrNull()
    return requireNotNull(number) { "key segment $index is not a Long or a finite Double: $content" }
}
