package dev.stackquery.internal

import dev.stackquery.storage.QueryCodec
import kotlinx.serialization.KSerializer
import kotlinx.serialization.json.Json
import kotlinx.serialization.json.JsonElement

/** [QueryCodec.kotlinx]: reads the envelope's `data` element directly, without re-encoding it as text. */
internal class KotlinxCodec<T>(private val serializer: KSerializer<T>, private val json: Json) : QueryCodec<T> {
    override fun encode(value: T): String = json.encodeToString(serializer, value)

    override fun decode(text: String): T = json.decodeFromString(serializer, text)

    fun decode(element: JsonElement): T = json.decodeFromJsonElement(serializer, element)

    override fun toString(): String = "QueryCodec.kotlinx(${serializer.descriptor.serialName})"
}
