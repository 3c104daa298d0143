package dev.stackquery.storage

import java.util.function.Function

/**
 * Turns a query's data into JSON text and back, for the persistent (L2) tier: the `data` part of
 * the stored entry. Set per query with `QueryOptions(codec = …)` / `builder(…).codec(…)`. A query
 * without a codec stays in memory only.
 *
 * Implementations must be thread-safe and side-effect free; [decode] throws on text it cannot
 * read (the entry is then treated as missing).
 *
 * ```java
 * QueryCodec<User> codec = QueryCodec.of(user -> mapper.writeValueAsString(user), json -> mapper.readValue(json, User.class));
 * ```
 */
public interface QueryCodec<T> {
    /** [value] as JSON text. */
    public fun encode(value: T): String

    /** The value [text] (written by [encode]) stands for. */
    public fun decode(text: String): T

    public companion object {
        /** A codec from a pair of functions to and from JSON text (Jackson, Gson, hand-written…). */
        @JvmStatic
        public fun <T> of(encode: Function<T, String>, decode: Function<String, T>): QueryCodec<T> =
            object : QueryCodec<T> {
                override fun encode(value: T): String = encode.apply(value)

                override fun decode(text: String): T = decode.apply(text)
            }
    }
}
