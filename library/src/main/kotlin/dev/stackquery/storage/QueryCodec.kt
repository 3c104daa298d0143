package dev.stackquery.storage

import dev.stackquery.internal.KotlinxCodec
import kotlinx.serialization.KSerializer
import kotlinx.serialization.json.Json

/**
 * Turns a query's data into JSON text and back, for the persistent (L2) tier: the `data` part of
 * the stored entry. Set per query with `QueryOptions(codec = …)` / `builder(…).codec(…)`. A query
 * without a codec stays in memory only.
 *
 * [encode] must return JSON text (an object, array, string, number, boolean or `null`); the
 * client checks it and drops (and counts) a write whose text is not JSON. Implementations must be
 * thread-safe and side-effect free; [decode] throws on text it cannot read (the entry is then
 * treated as missing and deleted).
 *
 * ```kotlin
 * @Serializable data class User(val id: Long, val name: String)
 * val codec = QueryCodec.kotlinx(User.serializer())   // or let queryOptions<User>(…) pick it
 * ```
 * ```java
 * // or JacksonCodec.of(mapper, User.class) from stackquery-codec-jackson
 * QueryCodec<User> codec = QueryCodec.of(mapper::writeValueAsString, json -> mapper.readValue(json, User.class));
 * ```
 */
public interface QueryCodec<T> {
    /** [value] as JSON text. */
    public fun encode(value: T): String

    /** The value [text] (written by [encode]) stands for. */
    public fun decode(text: String): T

    public companion object {
        /**
         * A codec for Kotlin types through kotlinx.serialization: [serializer] (e.g.
         * `User.serializer()` or `serializer<List<User>>()`) with the [json] format (default
         * [Json], which rejects unknown keys: pass `Json { ignoreUnknownKeys = true }` to read
         * entries written by a newer version of the type).
         */
        @JvmStatic
        @JvmOverloads
        public fun <T> kotlinx(serializer: KSerializer<T>, json: Json = Json): QueryCodec<T> =
            KotlinxCodec(serializer, json)

        /**
         * A codec from a pair of functions to and from JSON text (Jackson, Gson, hand-written…).
         * They may throw checked exceptions; anything they throw (other than a [CodecException])
         * is wrapped in a [CodecException] saying which direction failed, and the client names
         * the query's key when it logs it.
         */
        @JvmStatic
        public fun <T> of(encode: CodecFunction<T, String>, decode: CodecFunction<String, T>): QueryCodec<T> =
            object : QueryCodec<T> {
                override fun encode(value: T): String = converted("encode", value, encode)

                override fun decode(text: String): T = converted("decode", text, decode)
            }

        private fun <A, B> converted(direction: String, value: A, function: CodecFunction<A, B>): B = try {
            function.apply(value)
        } catch (e: CodecException) {
            throw e
        } catch (e: Exception) {
            throw CodecException("the codec's $direction failed: $e", e)
        }
    }
}
