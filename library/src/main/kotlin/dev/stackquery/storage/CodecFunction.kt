package dev.stackquery.storage

/**
 * One direction of a codec made with [QueryCodec.of]: to JSON text or from it. Unlike
 * `java.util.function.Function` it may throw checked exceptions, so a JSON library's own calls
 * fit as they are (`mapper::writeValueAsString`, `json -> mapper.readValue(json, User.class)`).
 */
public fun interface CodecFunction<A, B> {
    /** [value] converted; what it throws is wrapped in a [CodecException] by the codec. */
    @Throws(Exception::class)
    public fun apply(value: A): B
}
